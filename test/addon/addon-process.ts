/**
 * The add-on started the way its image starts it (CMD, with the image's ENV), in a chroot of the
 * built root filesystem, with the folders the Supervisor would map (/data, /media, /config).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mountAll, type ChrootMount } from './chroot.js';
import type { BuiltStage } from './rootfs-build.js';

export interface AddonProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM, wait for the exit, take the mounts down. */
  stop(): Promise<void>;
}

/** Host folders mounted where the Supervisor maps the add-on's storage. */
export interface AddonFolders {
  data: string;
  media: string;
  config: string;
}

export function addonMounts(folders: AddonFolders): ChrootMount[] {
  for (const dir of Object.values(folders)) mkdirSync(dir, { recursive: true });
  return [
    { target: '/proc', kind: 'proc' },
    { target: '/sys', kind: 'sysfs' },
    { target: '/dev/shm', kind: 'tmpfs' },
    { target: '/tmp', kind: 'tmpfs' },
    { target: '/data', kind: { bind: folders.data } },
    { target: '/media', kind: { bind: folders.media, readOnly: true } },
    { target: '/config', kind: { bind: folders.config } },
  ];
}

/**
 * Runs the image's CMD. s6-overlay's `with-contenv bashio` (run.sh's interpreter) is not in the
 * stand-in base, so the script runs with bash, taking its curl + node path to the Supervisor.
 */
export function startAddon(image: BuiltStage, folders: AddonFolders, env: Record<string, string>): AddonProcess {
  if (!image.cmd?.length) throw new Error('the image has no CMD');
  const unmount = mountAll(image.root, addonMounts(folders));
  const allEnv = { HOME: '/root', ...image.env, ...env };
  const child = spawn(
    'chroot',
    [image.root, '/usr/bin/env', '-i', ...Object.entries(allEnv).map(([k, v]) => `${k}=${v}`), '/bin/sh', '-c', 'cd "$0" && exec bash "$@"', image.workdir, ...image.cmd],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let unmounted = false;
  const takeDown = (): void => {
    if (unmounted) return;
    unmounted = true;
    unmount();
  };
  void exited.then(takeDown);
  return {
    child,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(killer);
      }
      takeDown();
    },
  };
}
