import fc from 'fast-check';

/**
 * Property tests explore new inputs on every developer run; in CI (`CI` set, as `.ci/run` is run) they replay one
 * fixed seed, so a landing is judged on the same inputs every time. A counterexample found locally is kept as a
 * fixture (e.g. fixtures/models-inspect/keras_member_size_lie.keras). `FC_SEED` replays any seed.
 */
const seed = process.env['FC_SEED'] ?? (process.env['CI'] ? '20261201' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
