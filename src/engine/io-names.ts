// The one place where graph input/output names are derived from site ids (module paths).
export const gainInput = (siteId: string): string => `aura.gain.${siteId}`;
export const biasInput = (siteId: string): string => `aura.bias.${siteId}`;
export const maxOutput = (siteId: string): string => `aura.max.${siteId}`;
export const meanOutput = (siteId: string): string => `aura.mean.${siteId}`;
