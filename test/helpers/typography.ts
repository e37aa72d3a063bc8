/** Han characters and CJK / full-width punctuation, then a half-width , ! ? : or ; right after. */
export const HALF_WIDTH_AFTER_CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef][,!?:;]/u;

/** Half-width sentence punctuation and brackets anywhere: for text written wholly in Chinese (the error catalog). */
export const HALF_WIDTH_PUNCTUATION = /[,.!?:;()]/u;

export const HAN = /[\u4e00-\u9fff]/u;
