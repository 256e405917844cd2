// How a model folder is described to the user (`inspect`): the exporter's layout and the model's name.
import { basename, dirname } from 'node:path';
import type { IoSpec } from './io-spec';
import type { ModelFiles } from './model-folder';
import type { Site } from './sites/catalogue';

/** Exporter layout in words. */
export function describeFormat(files: ModelFiles, ios: IoSpec[], sites: Site[]): string {
  const stacked = ios.some((io) => io.pastLayout === 'stacked');
  const fused = sites.some((s) => s.placements.some((p) => p.fused));
  const base = { single: 'optimum', merged: 'optimum-merged', split: 'optimum-split', genai: 'onnxruntime-genai' }[files.layout];
  const inOnnxDir = /[\\/]onnx[\\/][^\\/]+$/.test(files.main);
  return stacked || fused ? 'onnxruntime-transformers' : inOnnxDir && base === 'optimum' ? 'transformers.js' : base;
}

/** config's `_name_or_path`, else the folder (the parent when that is just `model` or `onnx`). */
export function modelName(files: ModelFiles): string {
  const named = files.config?._name_or_path;
  if (typeof named === 'string' && named.trim()) return basename(named.trim());
  const own = basename(files.dir);
  return ['model', 'onnx', 'models'].includes(own) ? basename(dirname(files.dir)) : own;
}
