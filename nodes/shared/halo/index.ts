/**
 * The Halo service layer: what the nodes and the policy runtime ask of HaloPSA beyond single API calls — cached tenant
 * lookups (statuses, outcomes, the API agent), ticket search, and the zero-configuration mapping (client/site/asset
 * index, resolveHaloTarget). Uses the transport's HaloClient; imports nothing from n8n.
 */
export * from './lookups';
export * from './mapping';
export * from './ticketSearch';
export * from './webhookRegistration';
