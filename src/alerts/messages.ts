/**
 * One delivery attempt of an alert on the RUNS queue. The message names the alert_deliveries row, which holds what
 * to send and where, so a duplicated or stale message finds the row delivered and sends nothing.
 */
export interface AlertMessage {
  type: "alert";
  accountId: string;
  /** alert_deliveries.id (also the outbox entry's id). */
  deliveryId: string;
  /** 0 for the first delivery; each retry adds one. */
  attempt: number;
}
