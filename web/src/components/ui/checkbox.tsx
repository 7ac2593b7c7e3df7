import * as React from "react";
import { cn } from "@/lib/utils";

/** A labelled native checkbox (the whole row is clickable). */
export const Checkbox = React.forwardRef<
  HTMLInputElement,
  Omit<React.InputHTMLAttributes<HTMLInputElement>, "type"> & { label: React.ReactNode; description?: string }
>(({ className, label, description, id, ...props }, ref) => (
  <label htmlFor={id} className={cn("flex cursor-pointer items-start gap-3", className)}>
    <input
      id={id}
      ref={ref}
      type="checkbox"
      className="mt-0.5 h-4 w-4 rounded border-input accent-primary focus-visible:ring-2 focus-visible:ring-ring"
      {...props}
    />
    <span className="space-y-0.5">
      <span className="block text-sm font-medium">{label}</span>
      {description && <span className="block text-xs text-muted-foreground">{description}</span>}
    </span>
  </label>
));
Checkbox.displayName = "Checkbox";
