export type Format = 'text' | 'json' | 'sarif' | 'cyclonedx' | 'markdown';
export const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'cyclonedx', 'markdown'];
