// Package s3 is a blob.Store in a bucket of any S3-compatible object store
// (AWS S3, MinIO, Ceph RGW, versitygw, ...), for deployments that run
// several Confide nodes or keep recordings off the application servers.
//
// A store is named by a URL:
//
//	s3://BUCKET[/PREFIX]?endpoint=https://host:port&region=us-east-1&path_style=true&create_bucket=true
//
// Every parameter is optional: endpoint defaults to AWS
// (https://s3.amazonaws.com), region is discovered when absent, path_style
// forces path-style rather than virtual-host requests, and create_bucket
// makes New create the bucket if it does not exist. PREFIX must itself be a
// valid blob key; objects are stored under PREFIX + "/" + key, or under key
// if there is no PREFIX.
//
// Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the
// optional AWS_SESSION_TOKEN, which is the way to configure production.
// For tests they may instead be given as the access_key and secret_key
// parameters; configuration printing hides such secrets, and this package
// never logs or quotes a URL or a credential in its errors.
//
// Put streams with a multipart upload of PartSize parts, so each Put in
// flight holds one PartSize buffer however large the object, and objects
// may be up to 10,000 parts long. The object appears only when the upload
// completes; a failed or cancelled Put aborts it. An Object reads with one
// ranged GET per ReadAt, conditional on the object being the one Stat found
// at Open: if the key is replaced meanwhile, ReadAt fails rather than mix
// versions, and if it is deleted ReadAt fails with blob.ErrNotFound.
package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/confide-cc/confide/internal/blob"
	"github.com/confide-cc/confide/internal/blob/internal/ctxio"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// PartSize is the size of the parts Put uploads, and so the memory each
// Put in flight holds. With S3's limit of 10,000 parts, it allows objects
// up to 156 GiB.
const PartSize = 16 << 20

// Store is a blob.Store in an S3 bucket. It is safe for concurrent use.
type Store struct {
	client *minio.Client
	bucket string
	prefix string
	// listPage is the most keys one ListObjectsV2 request asks for (0:
	// the server's default, 1,000 on S3).
	listPage int
}

var _ blob.Store = (*Store)(nil)

// Describe names the bucket and prefix (no endpoint credentials), for logs.
func (s *Store) Describe() string {
	if s.prefix == "" {
		return s.bucket
	}
	return s.bucket + "/" + strings.TrimSuffix(s.prefix, "/")
}

// New returns the store that rawURL names (see the package documentation).
// It contacts the server only if the URL asks it to create the bucket.
func New(ctx context.Context, rawURL string) (*Store, error) {
	c, err := parseURL(rawURL, os.Getenv)
	if err != nil {
		return nil, fmt.Errorf("blob/s3: %w", err)
	}
	lookup := minio.BucketLookupAuto
	if c.pathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(c.endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(c.accessKey, c.secretKey, c.sessionToken),
		Secure:       c.secure,
		Region:       c.region,
		BucketLookup: lookup,
	})
	if err != nil {
		return nil, fmt.Errorf("blob/s3: %w", err)
	}
	s := &Store{client: client, bucket: c.bucket, prefix: c.prefix}
	if c.createBucket {
		if err := s.createBucket(ctx, c.region); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// createBucket creates the bucket unless it exists.
func (s *Store) createBucket(ctx context.Context, region string) error {
	err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: region})
	switch minio.ToErrorResponse(err).Code {
	case minio.BucketAlreadyOwnedByYou, minio.BucketAlreadyExists:
		err = nil
	}
	if err != nil {
		return fmt.Errorf("blob/s3: create bucket %q: %w", s.bucket, err)
	}
	return nil
}

// Ping checks that the bucket exists and that the credentials may see it.
// It does not write: a probe object would leave a version behind at every
// call in a versioned bucket, so writability shows at the first Put.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("blob/s3: ping: %w", err)
	}
	if !ok {
		return fmt.Errorf("blob/s3: ping: bucket %q does not exist", s.bucket)
	}
	return nil
}

// Put streams r into a multipart upload of PartSize parts (see the package
// documentation). An existing object under key stays in place until the
// upload completes.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := blob.ValidateKey(key); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	info, err := s.client.PutObject(ctx, s.bucket, s.prefix+key, ctxio.NewReader(ctx, r), -1, minio.PutObjectOptions{
		PartSize:    PartSize,
		ContentType: "application/octet-stream",
	})
	if err != nil {
		return 0, fmt.Errorf("blob/s3: put: %w", err)
	}
	return info.Size, nil
}

// Delete removes the object under key; a missing object is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := blob.ValidateKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.client.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{})
	if err != nil && !errors.Is(mapError(err), blob.ErrNotFound) {
		return fmt.Errorf("blob/s3: delete: %w", err)
	}
	return nil
}

// List pages through ListObjectsV2 under the store's prefix and prefix,
// calling fn with each key (see blob.Store). Objects under the store's
// prefix whose names are not valid keys (written by something else) are
// skipped.
func (s *Store) List(ctx context.Context, prefix string, fn func(key string) error) error {
	if err := blob.ValidatePrefix(prefix); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the listing if fn stops it early
	for obj := range s.client.ListObjectsIter(ctx, s.bucket, minio.ListObjectsOptions{
		Prefix: s.prefix + prefix, Recursive: true, MaxKeys: s.listPage,
	}) {
		if obj.Err != nil {
			return fmt.Errorf("blob/s3: list: %w", obj.Err)
		}
		key := strings.TrimPrefix(obj.Key, s.prefix)
		if blob.ValidateKey(key) != nil {
			continue
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// mapError returns blob.ErrNotFound for a missing object, and err otherwise.
func mapError(err error) error {
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return blob.ErrNotFound
	}
	return err
}
