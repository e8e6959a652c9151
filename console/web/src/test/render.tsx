import { render } from '@testing-library/react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { App } from '../app/App';

export function Where() {
  const location = useLocation();
  return <output data-testid="where">{location.pathname + location.search}</output>;
}

/** The whole app at a URL, with the console faked by fakeApi(). */
export function renderApp(url = '/') {
  return render(
    <MemoryRouter initialEntries={[url]}>
      <App />
      <Routes>
        <Route path="*" element={<Where />} />
      </Routes>
    </MemoryRouter>,
  );
}
