// The methods the panel offers, from the registry (src/aura/methods.ts) and the transport maps: what
// the host sends the page in didListMethods, so a method registered here appears in the picker.
import { registeredMethods } from './methods';
import { TRANSPORT_METHODS } from './transport';
import { builtinMethod } from '../shared/method-labels';
import type { MethodInfo } from '../shared/protocol';

export function methodCatalog(): MethodInfo[] {
  const gain = registeredMethods().map(
    (m): MethodInfo => ({
      id: m.name,
      label: m.label ?? m.name,
      takesK: m.takesK ?? false,
      takesAlpha: m.takesAlpha ?? false,
      defaultAlpha: m.takesAlpha ? (m.defaultAlpha ?? null) : null,
      transport: false,
      description: m.description ?? m.summary,
    }),
  );
  return [...gain, ...TRANSPORT_METHODS.map((id) => builtinMethod(id))];
}
