/**
 * The right-hand pane of a list screen before a row is chosen: says what to do, instead of half a screen of nothing.
 * Shown only while the list has rows to choose from (an empty list says so itself).
 */
export function ChooseHint({ text, rows }: { text: string; rows: readonly unknown[] | undefined }) {
  if (!rows?.length) return null;
  return (
    <section className="panel choose-hint" data-testid="choose-hint">
      <p className="empty">{text}</p>
    </section>
  );
}
