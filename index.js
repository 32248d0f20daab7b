// n8n loads this package's nodes and credentials from the "n8n" section of package.json.
// This entry point is intentionally empty (n8n community node convention).
module.exports = {};
