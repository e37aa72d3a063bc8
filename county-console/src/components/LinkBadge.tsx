import type { LinkLevel, LinkReport } from '@vj/shared';
import { T } from '../strings';

/**
 * The grade of a kiosk's line (the SFU's, not the browser's): a word and a colour, so it reads without the
 * colour too. The numbers behind it go in the tooltip when the call view has them; `short` is the word without
 * 线路, for a tile of the compact wall.
 */
export function LinkBadge(props: { level: LinkLevel | null | undefined; report?: LinkReport | null; testId: string; short?: boolean | undefined }) {
  if (!props.level) return null;
  const title = props.report ? T.linkDetail(props.report.lossPct, props.report.rttMs) : undefined;
  return (
    <span className={`linkq linkq-${props.level}`} data-testid={props.testId} data-level={props.level} title={title} role="status">
      {props.short ? T.linkShort[props.level] : T.linkLevel[props.level]}
    </span>
  );
}
