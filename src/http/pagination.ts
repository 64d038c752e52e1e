/** Page arithmetic shared by every paged list: `total_pages = ceil(total_items / limit)`. */
export function pagination(page: number, limit: number, totalItems: number) {
  return {
    page,
    limit,
    total_items: totalItems,
    total_pages: Math.ceil(totalItems / limit),
  };
}
