export type { ModelReference } from '../core/records.js';
import type { ModelReference } from '../core/records.js';

/** Where a model is fetched from at run time. */
export type ModelHub = ModelReference['hub'];

/** How firmly a reference names its bytes: only a commit is immutable. */
export type RevisionKind = ModelReference['revisionKind'];

/** A load call whose model name is computed at run time: reported as a note, never silently dropped. */
export interface DynamicReference {
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly via: string;
  readonly runsRemoteCode: boolean;
}

export interface FileReferences {
  readonly references: ModelReference[];
  readonly dynamic: DynamicReference[];
}
