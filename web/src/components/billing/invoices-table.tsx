import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/feedback";
import { formatMoney, invoiceStatus, safeExternalUrl, type Invoice } from "@/lib/billing";
import { formatDate } from "@/lib/utils";

/** The account's Stripe invoices, newest first as the service answers, with links to Stripe's page and PDF. */
export function InvoicesTable({ invoices, paymentsEnabled }: { invoices: Invoice[]; paymentsEnabled: boolean }) {
  if (invoices.length === 0)
    return (
      <EmptyState
        title="No invoices yet"
        description={paymentsEnabled ? "Invoices appear here after your first payment." : "Invoices appear here once online payment is enabled and a plan is bought."}
      />
    );
  return (
    // Scrolls sideways on a phone: focusable, so the keyboard can scroll it too.
    <div className="relative overflow-x-auto rounded-lg border focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring" tabIndex={0} role="region" aria-label="Invoices">
      <table className="w-full min-w-[640px] text-sm">
        <caption className="sr-only">Invoices</caption>
        <thead className="bg-muted/50 text-left">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">Invoice</th>
            <th scope="col" className="px-3 py-2 font-medium">Date</th>
            <th scope="col" className="px-3 py-2 font-medium">Period</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Amount</th>
            <th scope="col" className="px-3 py-2 font-medium">Status</th>
            <th scope="col" className="px-3 py-2 font-medium">
              <span className="sr-only">Links</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y">
          {invoices.map((invoice) => {
            const status = invoiceStatus(invoice.status);
            const name = invoice.number ?? `of ${formatDate(invoice.createdAt)}`;
            const page = safeExternalUrl(invoice.hostedInvoiceUrl);
            const pdf = safeExternalUrl(invoice.pdfUrl);
            const paid = invoice.status === "paid";
            return (
              <tr key={invoice.id}>
                <td className="px-3 py-2 font-medium">{invoice.number ?? "Draft"}</td>
                <td className="whitespace-nowrap px-3 py-2">{formatDate(invoice.createdAt)}</td>
                <td className="whitespace-nowrap px-3 py-2 text-muted-foreground">
                  {invoice.periodStart ? `${formatDate(invoice.periodStart)} – ${formatDate(invoice.periodEnd)}` : "—"}
                </td>
                <td className="whitespace-nowrap px-3 py-2 text-right">
                  {formatMoney(paid ? invoice.amountPaid : invoice.amountDue, invoice.currency, true)}
                </td>
                <td className="px-3 py-2">
                  <Badge variant={status.tone}>{status.label}</Badge>
                </td>
                <td className="px-3 py-2">
                  <div className="flex justify-end gap-3">
                    {page && (
                      <a className="text-primary underline-offset-4 hover:underline" href={page} target="_blank" rel="noopener noreferrer" aria-label={`View invoice ${name} (opens in a new tab)`}>
                        View
                      </a>
                    )}
                    {pdf && (
                      <a className="text-primary underline-offset-4 hover:underline" href={pdf} target="_blank" rel="noopener noreferrer" aria-label={`Download invoice ${name} as PDF`}>
                        PDF
                      </a>
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
