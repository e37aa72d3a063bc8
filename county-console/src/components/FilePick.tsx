import { T } from '../strings';

/**
 * A file chooser in Chinese: the browser's own button speaks the browser's language ("Choose Files"), so the
 * input is hidden and the label is the button.
 */
export function FilePick(props: {
  label: string;
  accept: string;
  count: number;
  onFiles: (files: File[]) => void;
  testId?: string;
  /** One file at a time (an import); several by default (evidence). */
  single?: boolean;
  disabled?: boolean;
}) {
  return (
    <label className="file-pick">
      <span>{props.label}</span>
      <span className="file-pick-row">
        <input
          type="file"
          multiple={!props.single}
          disabled={props.disabled}
          accept={props.accept}
          onChange={(e) => props.onFiles([...(e.target.files ?? [])])}
          data-testid={props.testId}
        />
        <span className="file-pick-button">{T.chooseFiles}</span>
        <span className="hint">{props.count > 0 ? T.filesChosen(props.count) : T.noFilesChosen}</span>
      </span>
    </label>
  );
}
