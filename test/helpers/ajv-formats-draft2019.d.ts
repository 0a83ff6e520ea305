/** ajv-formats-draft2019 (CommonJS, no types): adds the draft 2019-09 formats (iri, iri-reference, idn-email…) to an ajv. */
declare module 'ajv-formats-draft2019' {
  export default function addFormats<A extends object>(ajv: A, formats?: readonly string[]): A;
}
