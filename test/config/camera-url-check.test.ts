import { describe, expect, it } from 'vitest';
import { cameraUrlProblem } from '../../src/config/camera-url-check.js';
import { parseConfig } from '../../src/config/load.js';

describe('camera URLs checked at start', () => {
  it('takes what ffmpeg reads from a camera, and file paths', () => {
    for (const url of [
      'rtsp://admin:pw@192.168.1.20:554/stream1',
      'rtsps://cam/x',
      'http://cam/mjpeg',
      'https://nvr/flv?user=a&password=b',
      'rtmp://nvr/live',
      // listeners name no host (an upgrade pass found udp://@:port working before the check)
      'udp://@:5004',
      'srt://:9000?mode=listener',
      'srt://cam:9000',
      '/media/door.mp4',
      'clips/door.mp4',
      'file:///media/door.mp4',
    ]) {
      expect(cameraUrlProblem(url), url).toBeUndefined();
    }
  });

  it('names a typo in the scheme, and a URL without a host, instead of retrying them forever', () => {
    expect(cameraUrlProblem('rtps://127.0.0.1/stream')).toMatch(/"rtps" is no scheme Argus reads \(did you mean "rtsp"\?\)$/);
    expect(cameraUrlProblem('htp:/oops')).toMatch(/"htp" is no scheme Argus reads \(did you mean "http"\?\)$/);
    expect(cameraUrlProblem('rtsp://')).toBe('rtsp://<host>[:port]/<path>: this one has no host');
  });

  it('says a password with a raw / must be written %2F (the URL read as having no host), and takes it so written', () => {
    expect(cameraUrlProblem('rtsp://admin:pa/ss@127.0.0.1:554/x')).toMatch(/this one's password holds a "\/", which must be written %2F/);
    expect(cameraUrlProblem('rtsp://admin:pa%2Fss@127.0.0.1:554/x')).toBeUndefined();
    // a slash in the path after a real host is no password
    expect(cameraUrlProblem('rtsp://admin:pw@127.0.0.1:554/a/b@c')).toBeUndefined();
  });

  it('stops the config with the key named, and the password left out', () => {
    const refusal = () => parseConfig({ cameras: { door: { url: 'rtps://admin:hunter2@127.0.0.1:554/stream' } } });
    expect(refusal).toThrow(/cameras\.door\.url: got "rtps:\/\/admin:\*\*\*@127\.0\.0\.1:554\/stream"; expected a URL starting with rtsp:\/\/, .* \(did you mean "rtsp"\?\)/);
    expect(refusal).not.toThrow(/hunter2/);
  });
});
