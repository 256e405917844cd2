// Hugging Face tokenizer.json (+ tokenizer_config.json) through @huggingface/tokenizers, the
// maintained pure-JS implementation used by transformers.js; it runs offline from the two files.
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { UserError, userErrorFrom } from './errors';

export interface TextTokenizer {
  encode(text: string, addSpecialTokens?: boolean): number[];
  decode(ids: number[], skipSpecialTokens?: boolean): string;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  /** EOS ids known to the tokenizer config (the model config may add more). */
  eosTokenIds: number[];
  bosTokenId?: number;
  padTokenId?: number;
  /** Tokens the tokenizer knows, added tokens included. */
  vocabSize: number;
}

function tokenName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

export function loadTokenizer(tokenizerJson: string, tokenizerConfig?: string): TextTokenizer {
  let json: unknown;
  let config: Record<string, unknown> = {};
  try {
    json = JSON.parse(readFileSync(tokenizerJson, 'utf8'));
  } catch (e) {
    throw userErrorFrom(tokenizerJson, 'expected a Hugging Face tokenizer.json', e);
  }
  if (tokenizerConfig) {
    try {
      config = JSON.parse(readFileSync(tokenizerConfig, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw userErrorFrom(tokenizerConfig, 'expected a JSON tokenizer_config.json', e);
    }
  }
  let tok: Tokenizer;
  try {
    if (!json || typeof json !== 'object' || !('model' in json)) throw new Error('no "model" section');
    tok = new Tokenizer(json, config);
    tok.encode('probe');
  } catch (e) {
    throw userErrorFrom(tokenizerJson, 'does not load as a Hugging Face tokenizer', e);
  }
  const idOf = (v: unknown) => {
    const name = tokenName(v);
    return name === undefined ? undefined : tok.token_to_id(name);
  };
  const eos = idOf(config.eos_token);
  const bos = idOf(config.bos_token);
  const pad = idOf(config.pad_token);
  const unk = unknownId(json, tok);
  return {
    encode: (text, addSpecialTokens = true) => {
      const e = tok.encode(text, { add_special_tokens: addSpecialTokens });
      // A WordLevel model yields no id for a word outside its vocabulary (the Rust library gives the unknown token).
      if (!e.ids.some((id) => id === undefined)) return e.ids;
      return e.ids.map((id, i) => {
        if (id !== undefined) return id;
        if (unk === undefined) throw new UserError(`${tokenizerJson}: the tokenizer has no id for ${JSON.stringify(e.tokens[i] ?? '')} and no unknown token (model.unk_token) to map it to`);
        return unk;
      });
    },
    decode: (ids, skipSpecialTokens = true) => tok.decode(ids, { skip_special_tokens: skipSpecialTokens }),
    tokenToId: (t) => tok.token_to_id(t),
    idToToken: (id) => tok.id_to_token(id),
    eosTokenIds: eos !== undefined ? [eos] : [],
    ...(bos !== undefined ? { bosTokenId: bos } : {}),
    ...(pad !== undefined ? { padTokenId: pad } : {}),
    vocabSize: tok.get_vocab(true).size,
  };
}

function unknownId(json: unknown, tok: Tokenizer): number | undefined {
  const name = (json as { model?: { unk_token?: unknown } }).model?.unk_token;
  return typeof name === 'string' ? tok.token_to_id(name) : undefined;
}

export function requireTokenizer(dir: string, tokenizerJson?: string): string {
  if (!tokenizerJson) throw new UserError(`${dir}: no tokenizer.json in the model folder`);
  return tokenizerJson;
}
