// The text a continuation adds after its prompt. Decoding the generated ids alone loses what joins
// them to the prompt wherever the tokenizer's decoder puts it between tokens (a WordLevel or
// WordPiece tokenizer joins words with a space: "the cat is" + "a" decoded alone is "a", shown as
// "the cat isa"). As Hugging Face's text-generation pipeline does, the continuation is the decoding of
// prompt and continuation together, less the decoding of the prompt. Where that does not start with
// the prompt's decoding (a decoder that rewrites across the boundary), the ids alone are decoded.
import type { TextTokenizer } from '../tokenizer';

export function continuationDecoder(tokenizer: Pick<TextTokenizer, 'decode'>, promptIds: readonly number[]): (generated: readonly number[]) => string {
  const prompt = tokenizer.decode([...promptIds]);
  return (generated) => {
    if (generated.length === 0) return '';
    const whole = tokenizer.decode([...promptIds, ...generated]);
    return whole.startsWith(prompt) ? whole.slice(prompt.length) : tokenizer.decode([...generated]);
  };
}
