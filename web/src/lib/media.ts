"use client";

/**
 * Media (the media service): recordings behind the answers. The upload session's calls and shapes (driven by
 * the state machine in upload.ts), and for review the playback URL, poster and transcript with their query
 * keys and hooks.
 */

import { useQuery } from "@tanstack/react-query";
import { api, ApiError } from "@/lib/api";

// -- wire types -----------------------------------------------------------------------------------------------

export type Playback = { mediaId: string; url: string; expiresAt: string };

export type TranscriptSegment = { start: number; end: number; text: string };

export type Transcript = {
  mediaId: string;
  status: string;
  text: string | null;
  language: string | null;
  durationSeconds: number | null;
  segments: TranscriptSegment[];
  model: string | null;
  reason: string | null;
};

export type PartUrl = { partNumber: number; url: string };

export type InitiateBody = {
  invitationId: string;
  questionId: string;
  fileName: string;
  contentType: string;
  fileSize: number;
};

export type InitiateResult = {
  mediaId: string;
  status: string;
  uploadMode: "single" | "multipart" | string;
  expiresAt: string;
  uploadUrl?: string | null;
  partSize?: number | null;
  partCount?: number | null;
  parts?: PartUrl[] | null;
};

export type PartsResult = {
  mediaId: string;
  partSize: number;
  partCount: number;
  uploadedParts: { partNumber: number; size: number; etag?: string }[];
  missingParts: PartUrl[];
  expiresAt: string;
};

export type MediaStatus = {
  mediaId: string;
  status: "uploading" | "processing" | "ready" | "rejected" | "aborted" | "deleted" | string;
  reason?: string | null;
};

// -- the upload session -----------------------------------------------------------------------------------------

/** The gateway's upload calls; the bytes themselves go straight to S3 (see upload.ts). */
export const mediaApi = {
  initiate: (body: InitiateBody) => api.post<InitiateResult>("/api/media/upload/initiate", body),
  parts: (mediaId: string) => api.get<PartsResult>(`/api/media/${mediaId}/parts`),
  confirm: (mediaId: string) => api.post<unknown>("/api/media/upload/confirm", { mediaId }),
  abort: (mediaId: string) => api.post<unknown>("/api/media/upload/abort", { mediaId }),
  status: (mediaId: string) => api.get<MediaStatus>(`/api/media/${mediaId}/status`),
};

// -- review: playback, poster, transcript -------------------------------------------------------------------------

export const mediaKeys = {
  playback: (mediaId: string) => ["media", mediaId, "stream"] as const,
  thumbnail: (mediaId: string) => ["media", mediaId, "thumbnail"] as const,
  transcript: (mediaId: string) => ["media", mediaId, "transcription"] as const,
};

/**
 * A presigned playback URL. It is not replaced on a timer (that would restart a playing video): the player
 * asks for a new one when the current one fails (expired), and a remount after expiry fetches a fresh one.
 */
export function usePlayback(mediaId: string | null | undefined) {
  return useQuery({
    queryKey: mediaKeys.playback(mediaId ?? ""),
    enabled: !!mediaId,
    queryFn: () => api.get<Playback>(`/api/media/${encodeURIComponent(mediaId!)}/stream`),
    staleTime: (query) => {
      const expires = query.state.data ? new Date(query.state.data.expiresAt).getTime() : 0;
      return Math.max(0, expires - Date.now() - 30_000);
    },
    refetchOnWindowFocus: false,
  });
}

/** A video's poster image URL; `null` when the recording has none (404). */
export function usePoster(mediaId: string, enabled: boolean) {
  return useQuery({
    queryKey: mediaKeys.thumbnail(mediaId),
    enabled,
    retry: false,
    queryFn: async () => {
      try {
        return (await api.get<Playback>(`/api/media/${encodeURIComponent(mediaId)}/thumbnail`)).url;
      } catch (e) {
        if (e instanceof ApiError && e.statusCode === 404) return null;
        throw e;
      }
    },
    staleTime: 5 * 60_000,
  });
}

export function useTranscript(mediaId: string | null | undefined) {
  return useQuery({
    queryKey: mediaKeys.transcript(mediaId ?? ""),
    enabled: !!mediaId,
    queryFn: () => api.get<Transcript>(`/api/media/${encodeURIComponent(mediaId!)}/transcription`),
    refetchInterval: (query) => (query.state.data && ["pending", "processing"].includes(query.state.data.status) ? 5000 : false),
  });
}
