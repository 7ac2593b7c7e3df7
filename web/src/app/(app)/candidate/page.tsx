import { redirect } from "next/navigation";

export default function CandidateHome() {
  redirect("/candidate/dashboard");
}
