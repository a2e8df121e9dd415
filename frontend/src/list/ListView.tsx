// Scaffold: replaced by the list work (issue 7).
export default function ListView() {
  return <h1>List</h1>;
}
