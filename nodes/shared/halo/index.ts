/**
 * The Halo service layer: what the nodes and the policy runtime ask of HaloPSA beyond single API calls — cached tenant
 * lookups (statuses, the API agent) and ticket search. Uses the transport's HaloClient; imports nothing from n8n.
 */
export * from './lookups';
export * from './ticketSearch';
