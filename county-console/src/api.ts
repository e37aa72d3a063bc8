import { useCallback, useEffect, useState } from 'react';
import { AppError } from '@vj/shared';
import { apiRequest, errorFromAnswer, noAnswerError } from '@vj/client';
import { T } from './strings';

export type TokenSource = () => string | undefined;

/** The server's own words when they are Chinese (its refusals are); anything else is a connection problem. */
export function userMessage(err: unknown): string {
  return err instanceof AppError && /[\u4e00-\u9fff]/.test(err.message) ? err.message : T.serverDown;
}

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads JSON from the API when `path` changes; `reload` fetches again (after an action), and so does every
 * `refreshMs` when given (the boards other officers change while this one is open).
 */
export function useApi<T>(token: TokenSource, path: string | undefined, refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: Boolean(path) });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    apiRequest<T>('GET', path, { token: token() }).then(
      (data) => live && setState({ data, loading: false }),
      // What was shown stays beside the error: a screen that looks again (a poll) goes on from it.
      (err: unknown) => live && setState((s) => ({ data: s.data, error: userMessage(err), loading: false })),
    );
    return () => {
      live = false;
    };
  }, [path, tick, token]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (!refreshMs) return;
    const t = setInterval(reload, refreshMs);
    return () => clearInterval(t);
  }, [reload, refreshMs]);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/**
 * One action button's state: `run` posts, shows the server's refusal in its words, and keeps the button disabled
 * while the request is in flight (a double click sends one request).
 */
export function useAction(): { busy: boolean; error: string | undefined; run: (act: () => Promise<unknown>, then?: () => void) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = useCallback(async (act: () => Promise<unknown>, then?: () => void) => {
    setBusy(true);
    setError(undefined);
    try {
      await act();
      then?.();
    } catch (err) {
      setError(userMessage(err));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}

/** Uploads one file with progress (fetch cannot report upload progress; XHR can). A PUT is idempotent by `url`. */
export function uploadWithProgress<T = unknown>(
  url: string,
  token: string,
  file: File,
  onProgress: (fraction: number) => void,
  method: 'PUT' | 'POST' = 'PUT',
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('x-filename', encodeURIComponent(file.name));
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          return resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          return resolve(undefined as T);
        }
      }
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // Not the server's JSON (a proxy's page): the status alone says what it was.
      }
      reject(errorFromAnswer(xhr.status, body));
    };
    xhr.onerror = () => reject(noAnswerError());
    xhr.send(file);
  });
}

/** A download button's state: a failure shows beside it in Chinese, instead of being lost in a dropped promise. */
export function useDownload(token: TokenSource): { download: (url: string, fallbackName: string) => void; error: string | undefined } {
  const { run, error } = useAction();
  const download = useCallback((url: string, fallbackName: string) => void run(() => downloadWithAuth(url, token() ?? '', fallbackName)), [run, token]);
  return { download, error };
}

/** Downloads an authorized file and hands it to the browser; the server audits the access. */
export async function downloadWithAuth(url: string, token: string, fallbackName: string): Promise<void> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } }).catch(() => {
    throw noAnswerError();
  });
  if (!res.ok) throw errorFromAnswer(res.status, await res.json().catch(() => undefined));
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? fallbackName);
  const href = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement('a'), { href, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
