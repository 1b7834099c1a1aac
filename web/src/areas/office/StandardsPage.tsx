export default function StandardsPage() {
  return null;
}
