export default function WebhooksPage() {
  return null;
}
