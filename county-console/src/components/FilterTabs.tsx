/** A row of filter tabs (the state a list shows); `testId` prefixes each tab's test id. */
export function FilterTabs<F extends string>({
  options,
  labels,
  value,
  onChange,
  testId,
}: {
  options: readonly F[];
  labels: Record<F, string>;
  value: F;
  onChange: (f: F) => void;
  testId: string;
}) {
  return (
    <div className="filters">
      {options.map((f) => (
        <button key={f} className={`tab${value === f ? ' on' : ''}`} onClick={() => onChange(f)} data-testid={`${testId}-${f}`}>
          {labels[f]}
        </button>
      ))}
    </div>
  );
}
