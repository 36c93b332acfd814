// The photos bucket, its TLS-only policy and the Employees table: the same in both templates, so
// they are rendered once here. The table's keys and index come from EMPLOYEE_TABLE (packages/shared).
import { EMPLOYEE_TABLE } from './shared.mjs';

/**
 * @param {string} flavour `ec2` or `fn`: resource names are `empdir-<flavour>-<Stage>-...`
 */
export function renderDataResources(flavour) {
  const namePrefix = `empdir-${flavour}-\${Stage}`;
  const index = EMPLOYEE_TABLE.byNameIndex;
  // The list forms of GetAtt and Join: cfn-guard's TLS rule recognises only these as local references.
  const bucketArns = [
    '- !GetAtt [PhotosBucket, Arn]',
    "- !Join ['', [!GetAtt [PhotosBucket, Arn], '/*']]",
  ];
  return `PhotosBucket:
  Type: AWS::S3::Bucket
  # The photos outlive the stack (and a replacement); a stack whose creation failed cleans up.
  DeletionPolicy: RetainExceptOnCreate
  UpdateReplacePolicy: Retain
  Properties:
    BucketName: !Sub '${namePrefix}-photos-\${AWS::AccountId}-\${AWS::Region}'
    # A deleted or replaced photo can be restored for NoncurrentDays below.
    VersioningConfiguration:
      Status: Enabled
    # The AWS managed key: readers need no key permission beyond their S3 grant, presigned GETs work.
    BucketEncryption:
      ServerSideEncryptionConfiguration:
        - ServerSideEncryptionByDefault:
            SSEAlgorithm: aws:kms
          BucketKeyEnabled: true
    PublicAccessBlockConfiguration:
      BlockPublicAcls: true
      BlockPublicPolicy: true
      IgnorePublicAcls: true
      RestrictPublicBuckets: true
    OwnershipControls:
      Rules:
        - ObjectOwnership: BucketOwnerEnforced
    LifecycleConfiguration:
      Rules:
        - Id: abort-incomplete-uploads
          Status: Enabled
          AbortIncompleteMultipartUpload:
            DaysAfterInitiation: 1
        - Id: expire-old-versions
          Status: Enabled
          NoncurrentVersionExpiration:
            NoncurrentDays: 30
          ExpiredObjectDeleteMarker: true
    Tags:
      - Key: Stage
        Value: !Ref Stage

PhotosBucketPolicy:
  Type: AWS::S3::BucketPolicy
  Properties:
    Bucket: !Ref PhotosBucket
    PolicyDocument:
      Version: '2012-10-17'
      Statement:
        # An explicit Deny beats every Allow: no request without TLS reaches the photos.
        - Sid: DenyInsecureTransport
          Effect: Deny
          Principal: '*'
          Action: 's3:*'
          Resource:
            ${bucketArns.join('\n            ')}
          Condition:
            Bool:
              aws:SecureTransport: 'false'
        - Sid: DenyTlsOlderThan12
          Effect: Deny
          Principal: '*'
          Action: 's3:*'
          Resource:
            ${bucketArns.join('\n            ')}
          Condition:
            NumericLessThan:
              s3:TlsVersion: '1.2'
        # Keys held by a client (SSE-C) would make photos unreadable to everyone else: refused.
        - Sid: DenyCustomerProvidedKeys
          Effect: Deny
          Principal: '*'
          Action: s3:PutObject
          Resource: !Join ['', [!GetAtt [PhotosBucket, Arn], '/*']]
          Condition:
            'Null':
              s3:x-amz-server-side-encryption-customer-algorithm: 'false'

# Signs the API's cookies and form tokens: every instance must share it, or a form served by one
# fails on another. Unnamed on purpose: a deleted secret's name stays reserved for up to 30 days.
SessionSecret:
  Type: AWS::SecretsManager::Secret
  DeletionPolicy: Delete
  UpdateReplacePolicy: Delete
  Properties:
    Description: !Sub "Employee directory \${Stage}: SESSION_SECRET for cookies and form tokens"
    GenerateSecretString:
      PasswordLength: 64
      ExcludePunctuation: true
    Tags:
      - Key: Stage
        Value: !Ref Stage

EmployeesTable:
  Type: AWS::DynamoDB::Table
  # Deleting the stack deletes the table (prod's refuses: DeletionProtectionEnabled below); a
  # replacement keeps the old one, so no template change can silently drop the data.
  DeletionPolicy: Delete
  UpdateReplacePolicy: Retain
  Properties:
    TableName: !Sub '${namePrefix}-employees'
    BillingMode: PAY_PER_REQUEST
    AttributeDefinitions:
      - AttributeName: ${EMPLOYEE_TABLE.partitionKey}
        AttributeType: S
      - AttributeName: ${index.partitionKey}
        AttributeType: S
      - AttributeName: ${index.sortKey}
        AttributeType: S
    KeySchema:
      - AttributeName: ${EMPLOYEE_TABLE.partitionKey}
        KeyType: HASH
    GlobalSecondaryIndexes:
      - IndexName: ${index.name}
        KeySchema:
          - AttributeName: ${index.partitionKey}
            KeyType: HASH
          - AttributeName: ${index.sortKey}
            KeyType: RANGE
        Projection:
          ProjectionType: ALL
    PointInTimeRecoverySpecification:
      PointInTimeRecoveryEnabled: true
    # Encrypted with DynamoDB's AWS managed KMS key rather than an AWS owned one.
    SSESpecification:
      SSEEnabled: true
    # prod's table survives a mistaken stack delete; see README for the teardown.
    DeletionProtectionEnabled: !If [IsProd, true, false]
    Tags:
      - Key: Stage
        Value: !Ref Stage`;
}
