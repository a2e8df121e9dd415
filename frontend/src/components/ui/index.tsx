/**
 * The Desk's small accessible component layer. Plain elements with shared classes
 * (styles/base.css) plus Radix for what needs focus management (dialogs, popovers, menus).
 */
import * as DialogPrimitive from "@radix-ui/react-dialog";
import { clsx } from "clsx";
import { forwardRef, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode } from "react";

type ButtonVariant = "default" | "primary" | "danger" | "ghost";

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: "md" | "sm";
  busy?: boolean;
}

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant = "default", size = "md", busy = false, className, children, type = "button", disabled, ...rest },
  ref,
) {
  return (
    <button
      ref={ref}
      type={type}
      className={clsx("btn", variant !== "default" && `btn-${variant}`, size === "sm" && "btn-sm", className)}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy && <span className="spinner" aria-hidden="true" />}
      {children}
    </button>
  );
});

export const Input = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement>>(function Input(
  { className, ...rest },
  ref,
) {
  return <input ref={ref} className={clsx("input", className)} {...rest} />;
});

export function Spinner({ label = "Loading" }: { label?: string }) {
  return (
    <span role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span className="sr-only">{label}</span>
    </span>
  );
}

export function Banner({ tone = "info", children, role }: { tone?: "info" | "warning" | "danger" | "success"; children: ReactNode; role?: "alert" | "status" }) {
  return (
    <div className={`banner banner-${tone}`} role={role ?? (tone === "danger" || tone === "warning" ? "alert" : "status")}>
      {children}
    </div>
  );
}

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  description?: ReactNode;
  confirmLabel: string;
  cancelLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onOpenChange: (open: boolean) => void;
}

/** A modal question with focus trapped inside and Escape to cancel (Radix Dialog). */
export function ConfirmDialog({ open, title, description, confirmLabel, cancelLabel, danger, busy, onConfirm, onOpenChange }: ConfirmDialogProps) {
  return (
    <DialogPrimitive.Root open={open} onOpenChange={onOpenChange}>
      <DialogPrimitive.Portal>
        <DialogPrimitive.Overlay className="dialog-overlay" />
        <DialogPrimitive.Content className="dialog-content" aria-describedby={undefined}>
          <DialogPrimitive.Title className="dialog-title">{title}</DialogPrimitive.Title>
          {description && <div>{description}</div>}
          <div className="dialog-actions">
            <DialogPrimitive.Close asChild>
              <Button>{cancelLabel}</Button>
            </DialogPrimitive.Close>
            <Button variant={danger ? "danger" : "primary"} busy={busy} onClick={onConfirm}>
              {confirmLabel}
            </Button>
          </div>
        </DialogPrimitive.Content>
      </DialogPrimitive.Portal>
    </DialogPrimitive.Root>
  );
}

export { DialogPrimitive as Dialog };
export * from "./icons";
