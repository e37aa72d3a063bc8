export function Message({ title, body, busy }: { title: string; body?: string; busy?: boolean }) {
  return (
    <section className="center" role="status" aria-live="polite">
      {busy && <div className="spinner" aria-hidden />}
      <h1>{title}</h1>
      {body && <p className="lead">{body}</p>}
    </section>
  );
}
