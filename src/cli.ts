#!/usr/bin/env node
/**
 * The `argus` command. Each subcommand lives in src/commands/<name>.ts and exports
 * `main(args: string[]): Promise<number>` (the exit code); this file only dispatches.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ main(args: string[]): Promise<number> }> }> = {
  run: { summary: 'watch the configured cameras (the default)', load: () => import('./commands/run.js') },
  'test-camera': { summary: 'connect to a camera URL once and print what it sends', load: () => import('./commands/test-camera.js') },
  models: { summary: 'models build: convert the default models to ONNX', load: () => import('./commands/models.js') },
  analyze: { summary: 'analyze <image|video…>: print objects, faces and poses', load: () => import('./commands/analyze.js') },
  proctor: { summary: 'proctor <video|images…>: incidents seat by seat in a recorded exam', load: () => import('./commands/proctor.js') },
  train: { summary: 'train objects --data <YOLO folder> --name <model>: learn new object classes', load: () => import('./commands/train.js') },
  faces: { summary: 'faces list|show|add|rename|remove|export|import|backups|restore: the face registry', load: () => import('./commands/faces.js') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return `usage: argus <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun "argus <command> --help" for a command's options; "argus --version" prints the version.`;
}

async function cli(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    console.log(usage());
    return 0;
  }
  if (first === '--version' || first === '-v') {
    console.log((await import('./version.js')).VERSION);
    return 0;
  }
  // `argus` alone, or `argus --config x.yml`, means run.
  const name = first === undefined || first.startsWith('-') ? 'run' : first;
  const args = name === first ? rest : argv;
  const command = COMMANDS[name];
  if (!command) {
    console.error(`argus: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const mod = await command.load();
  return mod.main(args);
}

cli(process.argv.slice(2)).then(
  (code) => {
    // `run` keeps the process alive itself; the others end here.
    if (code !== -1) process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`argus: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
