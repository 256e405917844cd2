// Ids in one place, mirrored in package.json (commands, settings) and used by the page and the
// end-to-end tests (test ids). Changing one here means changing it there too.

export const Commands = {
  openModelFolder: 'aura.openModelFolder',
  useDemoModel: 'aura.useDemoModel',
  profileConcept: 'aura.profileConcept',
  openProfileFolder: 'aura.openProfileFolder',
  compareProfile: 'aura.compareProfile',
  profileOnCluster: 'aura.profileOnCluster',
  addSelectionAsToxic: 'aura.addSelectionAsToxic',
  addSelectionAsNonToxic: 'aura.addSelectionAsNonToxic',
  openExpertsPanel: 'aura.openExpertsPanel',
  testSelection: 'aura.testSelection',
  highlightActivations: 'aura.highlightActivations',
  evaluateIntervention: 'aura.evaluateIntervention',
  sweepStrengths: 'aura.sweepStrengths',
  exportIntervention: 'aura.exportIntervention',
  importIntervention: 'aura.importIntervention',
  acceptPreview: 'aura.acceptPreview',
  dismissPreview: 'aura.dismissPreview',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

/** Settings keys under the `aura` section of contributes.configuration. */
export const Settings = {
  modelPath: 'modelPath',
  threads: 'threads',
  executionProvider: 'executionProvider',
  pooling: 'pooling',
  sequenceLength: 'sequenceLength',
  maxNewTokens: 'generation.maxNewTokens',
  temperature: 'generation.temperature',
  topK: 'generation.topK',
  topP: 'generation.topP',
  seed: 'generation.seed',
  textColumn: 'dataset.textColumn',
  labelColumn: 'dataset.labelColumn',
  maxPerClass: 'dataset.maxPerClass',
  scorer: 'evaluation.scorer',
  clusterCli: 'cluster.cli',
  clusterPartition: 'cluster.partition',
  clusterTime: 'cluster.time',
} as const;

/** data-testid values the page renders and the end-to-end tests look for. */
export const TestIds = {
  summary: 'summary',
  histogram: 'auroc-histogram',
  perLayer: 'per-layer-chart',
  expertsTable: 'experts-table',
  expertRow: 'expert-row',
  filterSite: 'filter-site',
  filterLayer: 'filter-layer',
  filterAurocMin: 'filter-auroc-min',
  filterAurocMax: 'filter-auroc-max',
  search: 'search-neuron',
  neuronDetail: 'neuron-detail',
  overrideGain: 'override-gain',
  overrideSet: 'override-set',
  method: 'method',
  strength: 'strength-slider',
  topK: 'top-k',
  alpha: 'alpha',
  affected: 'affected-count',
  previewPrompt: 'preview-prompt',
  previewRun: 'preview-run',
  previewOriginal: 'preview-original',
  previewIntervened: 'preview-intervened',
  progress: 'progress',
  error: 'error',
} as const;

export const PANEL_VIEW_TYPE = 'aura.expertsPanel';
