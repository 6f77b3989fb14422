/** Why the registry refused something; each code maps to one HTTP status in the REST API. */
export type RegistryErrorCode =
  | 'invalid_name'
  | 'not_an_image'
  | 'too_large'
  | 'no_face'
  | 'small_face'
  | 'several_faces'
  | 'no_such_face'
  | 'duplicate'
  | 'unlike'
  | 'same_photo'
  | 'name_taken'
  | 'person_not_found'
  | 'sample_not_found'
  | 'event_face_not_found'
  | 'wrong_embedding'
  | 'bad_archive'
  | 'same_person';

export const HTTP_STATUS: Record<RegistryErrorCode, number> = {
  invalid_name: 400,
  not_an_image: 415,
  too_large: 413,
  no_face: 400,
  small_face: 400,
  several_faces: 400,
  no_such_face: 400,
  duplicate: 409,
  unlike: 409,
  same_photo: 409,
  name_taken: 409,
  person_not_found: 404,
  sample_not_found: 404,
  event_face_not_found: 404,
  wrong_embedding: 400,
  bad_archive: 400,
  same_person: 400,
};

/** A refusal a user can act on: the message says what was wrong and what to do instead. */
export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    /** Extra facts for the caller: the faces found, the person a duplicate matched, … */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'RegistryError';
  }

  /** The REST API answers with this status (the web server reads it, as it reads fastify's own errors). */
  get statusCode(): number {
    return HTTP_STATUS[this.code];
  }
}
