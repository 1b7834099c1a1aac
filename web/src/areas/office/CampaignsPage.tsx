export default function CampaignsPage() {
  return null;
}
