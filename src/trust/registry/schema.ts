/**
 * The trusted-registry JSON Schema. `trusted-registry/schema.json` is this object written out for editors and
 * reviewers; a test keeps the two equal. Embedded so the built CLI and the Action bundle need no schema file.
 * `as const`: the document types are computed from it (./document-type.ts).
 */
export const REGISTRY_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://chainproof.dev/schemas/trusted-registry-v1.json',
  title: 'chainproof trusted registry',
  description:
    'Known-good model artifacts, revoked artifacts, pinned package integrities and known-malicious packages, maintained by a security team and reviewed like code. A file is either this document or a bare OSV record (https://ossf.github.io/osv-schema/).',
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    $schema: {
      type: 'string',
    },
    version: {
      const: 1,
      description: 'Format version; 1.',
    },
    models: {
      type: 'array',
      description: 'Model artifacts the build may load.',
      items: {
        $ref: '#/$defs/model',
      },
    },
    revoked: {
      type: 'array',
      description: 'Artifacts that must not be loaded any more, by content digest.',
      items: {
        $ref: '#/$defs/revoked',
      },
    },
    packages: {
      type: 'array',
      description: 'npm package versions pinned to an integrity.',
      items: {
        $ref: '#/$defs/pinnedPackage',
      },
    },
    malicious: {
      type: 'array',
      description: 'Known-malicious packages as OSV records (e.g. MAL-* advisories from ossf/malicious-packages).',
      items: {
        $ref: '#/$defs/osvRecord',
      },
    },
  },
  $defs: {
    sha256: {
      type: 'string',
      pattern: '^[0-9a-f]{64}$',
      'x-message': 'must be 64 lowercase hex characters',
    },
    sha512: {
      type: 'string',
      pattern: '^[0-9a-f]{128}$',
      'x-message': 'must be 128 lowercase hex characters',
    },
    relativePath: {
      type: 'string',
      minLength: 1,
      pattern: '^(?!/)(?![A-Za-z]:)(?!.*(^|/)\\.\\.(/|$))[^\\\\]+$',
      'x-message': "must be a repo-relative POSIX path or glob (no leading '/', no '..', no backslashes)",
    },
    model: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'revision', 'source'],
      description:
        'A model artifact: its files by content digest, or (no `files`) a hub repository the code downloads at run time, reviewed at one commit.',
      // A hub reference (no files) is only meaningful at an immutable revision: a branch or tag is not what was reviewed.
      if: { properties: { files: true }, required: ['files'] },
      else: {
        properties: {
          revision: {
            pattern: '^[0-9a-f]{40}$',
            'x-message': 'must be a full 40-hex commit when the entry lists no files (a hub reference)',
          },
        },
      },
      properties: {
        name: {
          type: 'string',
          minLength: 1,
          description: 'Artifact name, e.g. the Hugging Face repo id `org/name`.',
        },
        revision: {
          type: 'string',
          minLength: 1,
          description: 'Upstream revision: commit, tag or version.',
        },
        source: {
          type: 'string',
          format: 'uri',
          'x-message': 'must be an absolute URL (where the artifact was obtained)',
        },
        license: {
          type: 'string',
          minLength: 1,
          description: 'SPDX identifier or licence name.',
        },
        signer: {
          type: 'string',
          pattern: '^(?:[A-Za-z0-9][A-Za-z0-9._-]*|\\S+ \\(issuer https://\\S+\\))$',
          'x-message':
            "must be a signer name of the policy's signatures.signers, or a Sigstore identity written SUBJECT (issuer https://…), as chainproof prints a signer",
          description:
            "Expected signer of the entry's files, which the scan then requires: a name in the policy's `signatures.signers`, or a Sigstore identity written `SUBJECT (issuer https://ISSUER)` (the certificate subject and OIDC issuer, both matched exactly).",
        },
        sourceCommit: {
          type: 'string',
          pattern: '^([0-9a-f]{40}|[0-9a-f]{64})$',
          'x-message': 'must be a full git commit id (40 or 64 lowercase hex characters)',
          description: 'Git commit the artifact was built from; its provenance attestation must name this commit.',
        },
        sourceRepository: {
          type: 'string',
          pattern: '^https://\\S+$',
          'x-message': 'must be the repository URL, e.g. https://github.com/org/repo',
          description:
            "Repository `sourceCommit` is in; the provenance attestation must name it too (a fork holds the same commit, and its own workflows build from it with the fork's settings).",
        },
        description: {
          type: 'string',
        },
        files: {
          type: 'array',
          minItems: 1,
          description:
            "The artifact's files. Absent for a hub reference (`chainproof registry add --ref`): code loading `name` at `revision` is reviewed.",
          items: {
            $ref: '#/$defs/modelFile',
          },
        },
      },
    },
    modelFile: {
      type: 'object',
      additionalProperties: false,
      required: ['path', 'sha256'],
      properties: {
        path: {
          $ref: '#/$defs/relativePath',
          description:
            'Repo-relative path, or a glob (`*` within a segment, `**` across). For a Hugging Face cache snapshot of this artifact (same name and revision), also relative to the snapshot folder. An absolute URL (`https://…`) names a file the code downloads by digest (openai-whisper, OpenAI CLIP), matched by its sha256 and never looked for in the repository.',
        },
        size: {
          type: 'integer',
          minimum: 0,
          'x-message': 'must be a whole number of bytes',
        },
        sha256: {
          $ref: '#/$defs/sha256',
        },
        sha512: {
          $ref: '#/$defs/sha512',
        },
      },
    },
    revoked: {
      type: 'object',
      additionalProperties: false,
      required: ['sha256', 'reason'],
      properties: {
        name: {
          type: 'string',
          minLength: 1,
        },
        revision: {
          type: 'string',
          minLength: 1,
        },
        sha256: {
          $ref: '#/$defs/sha256',
        },
        reason: {
          type: 'string',
          minLength: 1,
          'x-message': 'must say why the artifact was revoked',
        },
        date: {
          type: 'string',
          format: 'date',
        },
      },
    },
    pinnedPackage: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'version', 'integrity'],
      properties: {
        name: {
          type: 'string',
          pattern: '^(@[a-z0-9-~][a-z0-9-._~]*/)?[a-z0-9-~][a-z0-9-._~]*$',
          'x-message': 'must be an npm package name',
        },
        version: {
          type: 'string',
          minLength: 1,
        },
        integrity: {
          type: 'string',
          pattern: '^(sha1|sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}$',
          'x-message': 'must be an SRI string such as sha512-<base64>',
        },
      },
    },
    osvRecord: {
      type: 'object',
      required: ['id', 'affected'],
      properties: {
        schema_version: {
          type: 'string',
        },
        id: {
          type: 'string',
          minLength: 1,
        },
        modified: {
          type: 'string',
        },
        published: {
          type: 'string',
        },
        withdrawn: {
          type: 'string',
        },
        aliases: {
          type: 'array',
          items: {
            type: 'string',
          },
        },
        summary: {
          type: 'string',
        },
        details: {
          type: 'string',
        },
        affected: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['package'],
            properties: {
              package: {
                type: 'object',
                required: ['ecosystem', 'name'],
                properties: {
                  ecosystem: {
                    type: 'string',
                    minLength: 1,
                  },
                  name: {
                    type: 'string',
                    minLength: 1,
                  },
                  purl: {
                    type: 'string',
                  },
                },
              },
              ranges: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['type', 'events'],
                  properties: {
                    type: {
                      enum: ['SEMVER', 'ECOSYSTEM', 'GIT'],
                    },
                    events: {
                      type: 'array',
                      minItems: 1,
                      items: {
                        type: 'object',
                        minProperties: 1,
                        maxProperties: 1,
                        properties: {
                          introduced: {
                            type: 'string',
                          },
                          fixed: {
                            type: 'string',
                          },
                          last_affected: {
                            type: 'string',
                          },
                          limit: {
                            type: 'string',
                          },
                        },
                        additionalProperties: false,
                        'x-message': 'must be exactly one of introduced, fixed, last_affected, limit',
                      },
                    },
                  },
                },
              },
              versions: {
                type: 'array',
                items: {
                  type: 'string',
                },
              },
            },
          },
        },
      },
    },
  },
} as const;
