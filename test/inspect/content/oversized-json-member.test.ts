import { randomBytes } from 'node:crypto';
import { constants, gzipSync } from 'node:zlib';
import { MAX_TEMPLATE_FILE } from '../../../src/discover/formats/chat-template-head.js';
import { buildTar } from '../containers/build.js';
import { describeUnseenCases } from '../loaders/unseen-runner.js';

/**
 * A `.json` text past MAX_TEMPLATE_FILE whose key sits `at` bytes in (after padding, as json.load reads any size):
 * one member of a `.tar.gz`, which the tar walk reads as a stream and holds no member of this size whole.
 */
function paddedJsonTarGz(key: string, value: unknown, at: number): Buffer {
  const open = '{"pad": "';
  const pad = filler(at - open.length - '", "'.length);
  const tail = `", ${JSON.stringify(key)}: ${JSON.stringify(value)}, "more": "${filler(MAX_TEMPLATE_FILE - at + 1024)}"}`;
  // Hex of random bytes: padding that compresses as real data does, not past the bomb ratio.
  return gzipSync(buildTar('model/extra.json', Buffer.from(open + pad + tail)), { level: constants.Z_BEST_SPEED });
}

const filler = (n: number): string =>
  randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);

const SSTI = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
const LAMBDA_MODEL = { class_name: 'Sequential', config: { layers: [] }, keras_version: '2.15.0' };
const WALK = 'discover/walk.ts searchedClaim searches a .json file whole; json.load reads any size';
const CHUNK = 4 << 20;

// On disk the walk finds the key anywhere in such a file and its reader reports it past the limit (CPI051); in a
// streamed tar the member was skipped unread with no finding.
describeUnseenCases('a .json member past the template file limit in a .tar.gz', [
  {
    name: 'a chat_template key after 33 MiB of padding',
    loader: `${WALK}; transformers renders chat_template`,
    files: { 'model.tar.gz': paddedJsonTarGz('chat_template', SSTI, MAX_TEMPLATE_FILE - 100) },
    want: ['CPI051:error'],
  },
  {
    name: 'a chat_template key cut in two by the reader’s chunk boundary',
    loader: `${WALK}; transformers renders chat_template`,
    files: { 'model.tar.gz': paddedJsonTarGz('chat_template', SSTI, 3 * CHUNK - 6) },
    want: ['CPI051:error'],
  },
  {
    name: 'a Keras model’s class_name past the padding',
    loader: `${WALK}; keras.models.model_from_json reads any size`,
    files: { 'model.tar.gz': paddedJsonTarGz('class_name', LAMBDA_MODEL, 2 * CHUNK) },
    want: ['CPI051:warning'],
  },
  {
    name: 'a large JSON dataset with neither key',
    loader: `${WALK}; nothing loads a dataset as a model`,
    files: { 'model.tar.gz': paddedJsonTarGz('labels', ['cat', 'dog'], 2 * CHUNK) },
    want: [],
  },
]);
