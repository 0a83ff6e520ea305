/**
 * TensorFlow ops that call Python or reach the filesystem or network from a graph. Checkpoint ops that every
 * SavedModel holds (SaveV2, RestoreV2, MergeV2Checkpoints, ShardedFilename) and vocabulary table initialisers that
 * read the model's own assets are deliberately absent.
 */
export const DANGEROUS_TF_OPS: ReadonlyMap<string, string> = new Map([
  ...['PyFunc', 'PyFuncStateless', 'EagerPyFunc'].map((op) => [op, 'runs Python code'] as const),
  ...[
    'ReadFile',
    'MatchingFiles',
    'MatchingFilesDataset',
    'ExperimentalMatchingFilesDataset',
    'ImmutableConst',
    'WholeFileReader',
    'WholeFileReaderV2',
    'TextLineReader',
    'TextLineReaderV2',
    'FixedLengthRecordReader',
    'FixedLengthRecordReaderV2',
    'TFRecordReader',
    'TFRecordReaderV2',
    'LMDBReader',
    'TextLineDataset',
    'TFRecordDataset',
    'TFRecordDatasetV2',
    'FixedLengthRecordDataset',
    'FixedLengthRecordDatasetV2',
    'CSVDataset',
    'CSVDatasetV2',
    'ExperimentalCSVDataset',
    'LMDBDataset',
    'ExperimentalLMDBDataset',
    'LoadDataset',
    'SqlDataset',
    'ExperimentalSqlDataset',
    'LoadAndRemapMatrix',
  ].map((op) => [op, 'reads files by path'] as const),
  ...[
    'WriteFile',
    'SaveDataset',
    'SaveDatasetV2',
    'DatasetToTFRecord',
    'ExperimentalDatasetToTFRecord',
    'CreateSummaryFileWriter',
    'CreateSummaryDbWriter',
    'DebugIdentity',
    'DebugIdentityV2',
    'DebugIdentityV3',
    'DebugNanCount',
    'DebugNumericSummary',
    'DebugNumericSummaryV2',
  ].map((op) => [op, 'writes files or sends data to a path or URL'] as const),
  ...['RpcCall', 'RpcClient', 'RpcServer', 'RpcServerStart', 'RpcServerRegister', 'GcsConfigureCredentials'].map(
    (op) => [op, 'reaches the network or changes credentials'] as const,
  ),
  // tf.data (core/ops/dataset_ops.cc, experimental_dataset_ops.cc): `CacheDataset*` with a filename writes cache
  // files there, `SnapshotDataset*` writes and reads snapshots under `path`, tf.data service ops send the dataset to
  // (or read it from) a server at `address`.
  ...['CacheDataset', 'CacheDatasetV2', 'SnapshotDataset', 'SnapshotDatasetV2', 'DistributedSave'].map(
    (op) => [op, 'writes files at a path it is given'] as const,
  ),
  ...[
    'DataServiceDataset',
    'DataServiceDatasetV2',
    'DataServiceDatasetV3',
    'DataServiceDatasetV4',
    'RegisterDataset',
  ].map((op) => [op, 'reaches a tf.data service over the network'] as const),
  // `DatasetFromGraph` runs a GraphDef carried as a string tensor: ops inside it are not nodes of this graph.
  ['DatasetFromGraph', 'runs a graph carried as data, whose ops were not checked'],
]);
