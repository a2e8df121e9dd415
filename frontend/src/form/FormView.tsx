// Scaffold: replaced by the form work (issue 7).
export default function FormView() {
  return <h1>Form</h1>;
}
