/**
 * Bun’s built-in list of packages whose lifecycle scripts it runs when the project has no `trustedDependencies`
 * (oven-sh/bun `src/install/default-trusted-dependencies.txt`, read by `Lockfile.hasTrustedDependency`, which
 * applies it only to packages resolved from an npm registry). Data, taken as of bun commit 0db0920 (367
 * names); a newer bun may list more, so a package off this list is only assumed unbuilt, never proven safe.
 */
const NAMES = `
@airbnb/node-memwatch @apollo/protobufjs @apollo/rover @appsignal/nodejs @arkweid/lefthook @aws-amplify/cli
@bahmutov/add-typescript-to-cypress @bazel/concatjs @bazel/cypress @bazel/esbuild @bazel/hide-bazel-files
@bazel/jasmine @bazel/protractor @bazel/rollup @bazel/terser @bazel/typescript @bufbuild/buf
@cdktf/node-pty-prebuilt-multiarch @ckeditor/ckeditor5-vue @cloudflare/wrangler @contrast/fn-inspect
@cubejs-backend/cubestore @cubejs-backend/native @cypress/snapshot @danmarshall/deckgl-typings
@datadog/mobile-react-native @discordjs/opus @eversdk/lib-node @evilmartians/lefthook
@ffmpeg-installer/darwin-arm64 @ffmpeg-installer/darwin-x64 @ffmpeg-installer/linux-arm
@ffmpeg-installer/linux-arm64 @ffmpeg-installer/linux-ia32 @ffmpeg-installer/linux-x64
@ffprobe-installer/darwin-arm64 @ffprobe-installer/darwin-x64 @ffprobe-installer/linux-arm
@ffprobe-installer/linux-arm64 @ffprobe-installer/linux-ia32 @ffprobe-installer/linux-x64
@fingerprintjs/fingerprintjs-pro-react @ghaiklor/x509 @go-task/cli @injectivelabs/sdk-ts @instana/autoprofile
@intlify/vue-i18n-bridge @intlify/vue-router-bridge @matteodisabatino/gc_info @memlab/cli
@microsoft.azure/autorest-core @microsoft/teamsfx-cli @microsoft/ts-command-line @napi-rs/pinyin
@nativescript/core @netlify/esbuild @newrelic/native-metrics @notarize/qlc-cli @nx-dotnet/core
@opensearch-project/oui @pact-foundation/pact-node @paloaltonetworks/postman-code-generators
@pdftron/pdfnet-node @percy/core @pnpm/exe @prisma/client @prisma/engines @progress/kendo-licensing
@pulumi/aws-native @pulumi/awsx @pulumi/command @pulumi/kubernetes @railway/cli @replayio/cypress
@replayio/playwright @roots/bud-framework @sap/hana-client @sap/hana-performance-tools @sap/hana-theme-vscode
@scarf/scarf @sematext/gc-stats @sentry/capacitor @sentry/profiling-node @serialport/bindings
@serialport/bindings-cpp @shopify/ngrok @shopify/plugin-cloudflare @sitespeed.io/chromedriver
@sitespeed.io/edgedriver @softvisio/core @splunk/otel @strapi/strapi @sveltejs/kit @syncfusion/ej2-angular-base
@taquito/taquito @temporalio/core-bridge @tensorflow/tfjs-node @trufflesuite/bigint-buffer
@typescript-tools/rust-implementation @vaadin/vaadin-usage-statistics @vscode/ripgrep @vscode/sqlite3
abstract-socket admin-lte appdynamics appium-chromedriver appium-windows-driver
applicationinsights-native-metrics argon2 autorest aws-crt azure-functions-core-tools
azure-streamanalytics-cicd backport bcrypt better-sqlite3 bigint-buffer blake-hash bs-platform bufferutil bun
canvacord canvas cbor-extract chromedriver chromium classic-level cld cldr-data clevertap-react-native clientjs
cmark-gfm compresion contentlayer contextify cordova.plugins.diagnostic couchbase cpu-features cwebp-bin cy2
cypress dd-trace deasync detox detox-recorder diskusage dotnet-2.0.0 dprint drivelist dtrace-provider duckdb
dugite eccrypto egg-bin egg-ci electron electron-chromedriver electron-prebuilt electron-winstaller elm
elm-format esbuild esoftplay event-loop-stats exifreader farmhash fast-folder-size faunadb ffi ffi-napi
ffmpeg-static fibers fmerge free-email-domains fs-xattr full-icu gatsby gc-stats gcstats.js geckodriver gentype
ghooks gif2webp-bin gifsicle git-commit-msg-linter git-validate git-win gl go-ios grpc grpc-tools handbrake-js
hasura-cli heapdump hiredis hnswlib-node hugo-bin hummus ibm_db iconv iedriver iltorb incremental-json-parser
install-peers interruptor iobroker.js-controller iso-constants isolated-vm java jest-preview
jpeg-recompress-bin jpegtran-bin keccak kerberos keytar lefthook leveldown libpg-query libpq libxmljs libxmljs2
lightningcss-cli lint lmdb lmdb-store local-cypress lz4 lzma-native lzo macos-alias mbt memlab microtime
minidump mmmagic modern-syslog mongodb-client-encryption mongodb-crypt-library-dummy
mongodb-crypt-library-version mongodb-memory-server mozjpeg ms-chromium-edge-driver msgpackr-extract
msnodesqlv8 msw muhammara netlify-cli ngrok ngx-popperjs nice-napi node node-expat node-hid node-jq
node-libcurl node-mac-contacts node-pty node-rdkafka node-sass node-webcrypto-ossl node-zopfli node-zopfli-es
nodegit nodejieba nodent-runtime nx odiff-bin oniguruma opencode-ai optipng-bin oracledb os-dns-native
parse-server phantomjs phantomjs-prebuilt pkcs11js playwright-chromium playwright-firefox playwright-webkit
pngout-bin pngquant-bin posix pprof pre-commit pre-push prisma protoc protoc-gen-grpc-web puppeteer purescript
re2 react-jsx-parser react-native-stylex react-particles react-tsparticles react-vertical-timeline-component
realm redis-memory-server ref ref-napi registry-js robotjs sauce-connect-launcher saucectl secp256k1
segfault-handler shared-git-hooks sharp simple-git-hooks sleep slice2js snyk sockopt sodium-native
sonar-scanner spago spectron spellchecker sq-native sqlite3 sse4_crc32 ssh2 storage-engine subrequests
subrequests-express subrequests-json-merger supabase svf-lib swagger-ui swiftlint taiko tldjs tree-sitter
tree-sitter-cli tree-sitter-json tree-sitter-kotlin tree-sitter-typescript tree-sitter-yaml truffle
tsparticles-engine ttag-cli ttf2woff2 typemoq unix-dgram ursa-optional usb utf-8-validate v8-profiler-next
vue-demi vue-echarts vue-inbrowser-compiler-demi wd wdeasync weak-napi webdev-toolkit windows-build-tools
wix-style-react wordpos workerd wrtc xxhash yarn yo yorkie zeromq zlib-sync zopflipng-bin
`;

export const BUN_DEFAULT_TRUSTED: ReadonlySet<string> = new Set(NAMES.split(/\s+/).filter((n) => n !== ''));
