import { z } from 'zod';

/**
 * The class of a matter, chosen by the officer at intake. The rules that apply turn on it, not on the topic
 * (PETITION_CATEGORIES): 检举控告 follow the 《纪检监察机关处理检举控告工作规则》 (2020); 申诉 and 批评建议 keep the
 * 《信访工作条例》 (2022) track; 其他 is outside the commission's remit and is handed to the body that handles it.
 */
export const MATTER_CLASSES = ['accusation', 'appeal', 'suggestion', 'other'] as const;
export const MatterClass = z.enum(MATTER_CLASSES);
export type MatterClass = (typeof MATTER_CLASSES)[number];

/**
 * How a decided matter left the county: 交办 (assigned with a reporting duty, quarterly progress reports and a
 * deadline; the county reviews, returns or approves the result: the `refer` loop) or 转办 (`transfer`: handed to the
 * body with jurisdiction, a township commission or a named outside body, which handles it under its own authority;
 * the county keeps the record and the outcome if one is reported). Pinyin, because the usual English words for the
 * two swap meaning from one translation to the next.
 */
export const CASE_ROUTES = ['jiaoban', 'zhuanban'] as const;
export type CaseRoute = (typeof CASE_ROUTES)[number];

/**
 * The clocks of the policy table, each a row per class where it applies: accept (register and 受理/交办),
 * conclude (handle, from the decision), extension (one or more, supervisor-approved), notice_accept (tell a named
 * accuser whether it was accepted, from receipt), notice_result (give them the result, from conclusion), review
 * (复查, from the request), recheck (复核, from the request), progress (a 交办 matter's handling body reports
 * progress at least this often, from the 交办 or its last progress report) and follow_up (回访复核 of a 不满意 rating,
 * from the rating).
 */
export const POLICY_KINDS = ['accept', 'conclude', 'extension', 'notice_accept', 'notice_result', 'review', 'recheck', 'progress', 'follow_up'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/** How a notice reached the accuser. */
export const NOTICE_VIAS = ['in_person', 'phone', 'letter', 'sms'] as const;
export const NoticeVia = z.enum(NOTICE_VIAS);
export type NoticeVia = (typeof NOTICE_VIAS)[number];

/** The accuser's response to the result: none raised, or an objection (recorded as said, and answered). */
export const ACCUSER_RESPONSES = ['no_objection', 'objection'] as const;
export const AccuserResponse = z.enum(ACCUSER_RESPONSES);
export type AccuserResponse = (typeof ACCUSER_RESPONSES)[number];

/** The named-accuser notices the feedback screen tracks; 'response' is a result given whose response is not yet recorded. */
export const NOTICE_KINDS = ['accept', 'result', 'response'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];
