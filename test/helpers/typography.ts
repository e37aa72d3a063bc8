/**
 * Han characters and CJK / full-width punctuation, then a half-width , ! ? : ; or ( right after; or a half-width )
 * right before one ("镇街纪(工)委", "意见(可不填)").
 */
export const HALF_WIDTH_AFTER_CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef][,!?:;(]|\)[\u3400-\u9fff]/u;

/** Half-width sentence punctuation and brackets anywhere: for text written wholly in Chinese (the error catalog). */
export const HALF_WIDTH_PUNCTUATION = /[,.!?:;()]/u;

export const HAN = /[\u4e00-\u9fff]/u;
