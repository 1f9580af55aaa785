"""Certificates as Open Badges 3.0 credentials that anyone can verify without calling us.

- ``keys``: the Ed25519 keys of ``settings.CREDENTIAL_SIGNING_KEYS`` (the first signs, all are
  published, each named by its RFC 7638 thumbprint);
- ``badge``: the JSON of the issuer profile, of an achievement and of an
  ``OpenBadgeCredential`` (W3C Verifiable Credentials 2.0 data model);
- ``jws``: a credential secured as a VC-JWT (compact JWS, ``EdDSA``, ``typ: vc+jwt``);
- ``status_list``: revocation through W3C Bitstring Status Lists, one bit per certificate;
- ``verify``: what an outside verifier does with a credential — signature against the keys
  the issuer profile publishes, dates, the status list credential's signature and bit.

The state changes (issuing, revoking) are ``learning.domain.certificates``; the addresses are
``api.credential_views`` (``/credentials/…``) and the portal's verification pages.
"""
