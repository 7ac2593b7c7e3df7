"use client";

import { X } from "lucide-react";
import * as React from "react";
import { cn } from "@/lib/utils";

type Toast = { id: number; title: string; description?: string; variant: "default" | "success" | "error" };
type ToastInput = Omit<Toast, "id" | "variant"> & { variant?: Toast["variant"] };

const ToastContext = React.createContext<(t: ToastInput) => void>(() => {});

export function useToast(): (t: ToastInput) => void {
  return React.useContext(ToastContext);
}

export function ToastProvider({ children }: { children: React.ReactNode }) {
  const [toasts, setToasts] = React.useState<Toast[]>([]);
  const nextId = React.useRef(1);
  const dismiss = React.useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const push = React.useCallback(
    (input: ToastInput) => {
      const id = nextId.current++;
      setToasts((all) => [...all.slice(-3), { id, variant: "default", ...input }]);
      window.setTimeout(() => dismiss(id), input.variant === "error" ? 8000 : 4000);
    },
    [dismiss],
  );
  return (
    <ToastContext.Provider value={push}>
      {children}
      <div aria-live="polite" className="pointer-events-none fixed bottom-4 right-4 z-[100] flex w-[calc(100%-2rem)] max-w-sm flex-col gap-2">
        {toasts.map((t) => (
          <div
            key={t.id}
            role={t.variant === "error" ? "alert" : "status"}
            className={cn(
              "pointer-events-auto flex items-start gap-3 rounded-lg border bg-background p-4 text-sm shadow-lg",
              t.variant === "error" && "border-red-300 bg-red-50 text-red-950",
              t.variant === "success" && "border-emerald-300 bg-emerald-50 text-emerald-950",
            )}
          >
            <div className="flex-1">
              <p className="font-medium">{t.title}</p>
              {t.description && <p className="mt-1 opacity-90">{t.description}</p>}
            </div>
            <button type="button" onClick={() => dismiss(t.id)} className="opacity-60 hover:opacity-100" aria-label="Dismiss">
              <X className="h-4 w-4" aria-hidden />
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
