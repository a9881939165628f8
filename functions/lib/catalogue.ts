export interface Product {
  id: string;
  name: string;
}

/** The cakes the shop sells, defined once. */
export const products: readonly Product[] = [
  { id: 'victoria-sponge', name: 'Victoria sponge' },
  { id: 'chocolate-fudge', name: 'Chocolate fudge cake' },
  { id: 'lemon-drizzle', name: 'Lemon drizzle cake' },
  { id: 'carrot-cake', name: 'Carrot cake' },
  { id: 'red-velvet', name: 'Red velvet cake' },
];

export function findProduct(id: string): Product | undefined {
  return products.find((product) => product.id === id);
}
