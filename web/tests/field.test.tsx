import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Field, Input } from "@/components/ui/input";

describe("Field", () => {
  it("ties its control to the error when there is one", () => {
    render(
      <Field id="name" label="Name" error="Name is required" hint="Your full name">
        <Input id="name" />
      </Field>,
    );
    const input = screen.getByLabelText("Name");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(input.getAttribute("aria-describedby")).toBe("name-error");
    expect(screen.getByRole("alert").textContent).toBe("Name is required");
  });

  it("ties its control to the hint when there is no error", () => {
    render(
      <Field id="name" label="Name" hint="Your full name">
        <Input id="name" />
      </Field>,
    );
    const input = screen.getByLabelText("Name");
    expect(input.getAttribute("aria-invalid")).toBeNull();
    expect(input.getAttribute("aria-describedby")).toBe("name-hint");
  });

  it("keeps the wiring a control sets itself", () => {
    render(
      <Field id="pw" label="Password" error="Too short">
        <Input id="pw" aria-describedby="pw-rules" />
      </Field>,
    );
    expect(screen.getByLabelText("Password").getAttribute("aria-describedby")).toBe("pw-rules");
  });
});
