/** The part of the WebAssembly JavaScript API the refs stage's modules use (the project's type libraries do not declare it). */
export interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => {
    readonly buffer: ArrayBufferLike;
    grow(pages: number): number;
  };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  /** Whether the runtime compiles these bytes (a feature it may lack: relaxed SIMD before V8 11.4, unflagged). */
  validate(bytes: Uint8Array): boolean;
}

/** The runtime's WebAssembly, or null where it has none (`node --jitless`): the callers run JavaScript then. */
export const wasmApi: WasmApi | null = (globalThis as { WebAssembly?: WasmApi }).WebAssembly ?? null;
