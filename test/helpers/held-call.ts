/** A model call that answers when the test says; `calls` counts those made and not yet answered. */
export function heldCall<T>() {
  const waiting: Array<(v: T) => void> = [];
  return {
    call: () => new Promise<T>((r) => waiting.push(r)),
    get calls() {
      return waiting.length;
    },
    answerAll: (v: T) => {
      for (const w of waiting.splice(0)) w(v);
    },
  };
}

/** Long enough for queued calls to be made. */
export const tick = () => new Promise((r) => setTimeout(r, 5));
