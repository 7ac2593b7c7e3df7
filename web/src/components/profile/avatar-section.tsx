"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ImageUp, Trash2 } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/feedback";
import { useToast } from "@/components/ui/toast";
import { ApiError, errorMessage } from "@/lib/api";
import { AVATAR_TYPES, avatarProblem, displayName, profileKeys, removeAvatar, uploadAvatar, type Me } from "@/lib/profile";

function uploadError(error: unknown): string {
  if (error instanceof ApiError && error.statusCode === 413) return "The image is larger than the server accepts (at most 5 MB).";
  if (error instanceof ApiError && error.statusCode === 415) return "The server could not read this file as a JPEG, PNG or WebP image.";
  return errorMessage(error);
}

/** Current avatar, a local preview of the chosen file, upload and removal. */
export function AvatarSection({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const input = React.useRef<HTMLInputElement>(null);
  const [file, setFile] = React.useState<File | null>(null);
  const [preview, setPreview] = React.useState<string | null>(null);
  const [problem, setProblem] = React.useState<string | null>(null);

  React.useEffect(() => {
    if (!file) return setPreview(null);
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const clear = () => {
    setFile(null);
    if (input.current) input.current.value = "";
  };

  const upload = useMutation({
    mutationFn: (f: File) => uploadAvatar(f),
    onSuccess: () => {
      clear();
      toast({ title: "Avatar updated", variant: "success" });
      void queryClient.invalidateQueries({ queryKey: profileKeys.me });
    },
  });
  const remove = useMutation({
    mutationFn: () => removeAvatar(),
    onSuccess: () => {
      toast({ title: "Avatar removed", variant: "success" });
      void queryClient.invalidateQueries({ queryKey: profileKeys.me });
    },
  });

  const shown = preview ?? me.avatarUrl;
  const initials = (displayName(me) || "?")
    .split(/\s+/)
    .map((p) => p[0])
    .join("")
    .slice(0, 2)
    .toUpperCase();
  const error = upload.error ?? remove.error;

  return (
    <div className="flex flex-col gap-4 sm:flex-row sm:items-start">
      <div className="flex h-24 w-24 shrink-0 items-center justify-center overflow-hidden rounded-full border bg-muted text-2xl font-semibold text-muted-foreground">
        {shown ? (
          // Presigned S3 URLs and blob: previews; next/image would proxy (and cache) a short-lived URL.
          // eslint-disable-next-line @next/next/no-img-element
          <img src={shown} alt={preview ? "Preview of the chosen image" : "Your avatar"} className="h-full w-full object-cover" />
        ) : (
          <span aria-hidden>{initials}</span>
        )}
      </div>
      <div className="min-w-0 flex-1 space-y-3">
        <div className="space-y-1.5">
          <label htmlFor="avatar-file" className="text-sm font-medium">
            Choose an image
          </label>
          <input
            ref={input}
            id="avatar-file"
            type="file"
            accept={AVATAR_TYPES.join(",")}
            aria-describedby={problem ? "avatar-file-error" : "avatar-file-hint"}
            aria-invalid={!!problem}
            className="block w-full text-sm file:mr-3 file:rounded-md file:border file:border-input file:bg-background file:px-3 file:py-1.5 file:text-sm file:font-medium hover:file:bg-accent focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
            onChange={(e) => {
              upload.reset();
              const chosen = e.target.files?.[0] ?? null;
              const why = chosen ? avatarProblem(chosen) : null;
              setProblem(why);
              setFile(why ? null : chosen);
            }}
          />
          {problem ? (
            <p id="avatar-file-error" role="alert" className="text-xs font-medium text-destructive">
              {problem}
            </p>
          ) : (
            <p id="avatar-file-hint" className="text-xs text-muted-foreground">
              JPEG, PNG or WebP, at most 5 MB.
            </p>
          )}
        </div>
        {error ? <Alert variant="error">{uploadError(error)}</Alert> : null}
        <div className="flex flex-wrap gap-2">
          <Button size="sm" disabled={!file || upload.isPending} onClick={() => file && upload.mutate(file)}>
            <ImageUp aria-hidden /> {upload.isPending ? "Uploading…" : "Upload avatar"}
          </Button>
          {file && (
            <Button size="sm" variant="outline" onClick={clear} disabled={upload.isPending}>
              Cancel
            </Button>
          )}
          {me.avatarUrl && !file && (
            <Button size="sm" variant="outline" onClick={() => remove.mutate()} disabled={remove.isPending}>
              <Trash2 aria-hidden /> {remove.isPending ? "Removing…" : "Remove avatar"}
            </Button>
          )}
        </div>
      </div>
    </div>
  );
}
