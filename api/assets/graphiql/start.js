// Starts GraphiQL against this server's /graphql. Kept out of the page so that the
// Content Security Policy can refuse every inline script.
ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher: GraphiQL.createFetcher({
      url: new URL("/graphql", window.location.origin).toString(),
      fetch: (url, options = {}) => fetch(url, { ...options, credentials: "same-origin" }),
    }),
    defaultEditorToolsVisibility: true,
  })
);
