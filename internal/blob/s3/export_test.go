package s3

// SetListPage sets the most keys one ListObjectsV2 request of s asks for,
// so that tests see a listing span several pages.
func SetListPage(s *Store, n int) { s.listPage = n }
